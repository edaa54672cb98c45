package bench

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// stampConn is a client TCP connection that records when the kernel put
// the bytes each Read returns into the socket (SO_TIMESTAMPNS): when they
// reached the subscriber, however long its goroutine then waits for a
// CPU. P4's 1,000 clients share the process and the two cores with the
// server, and Go's scheduler runs a waiting client only after the server
// goroutines ahead of it in the run queue; a subscriber on its own machine
// would have had the message then.
type stampConn struct {
	*net.TCPConn
	raw syscall.RawConn
	oob []byte
	// last is the kernel's receive time of the newest bytes Read returned
	// (for TCP, that of the last segment the read took bytes from), or, if
	// the kernel stamped none, when Read returned: stamped says which.
	// Only the connection's one reader uses them.
	last    time.Time
	stamped bool
}

// newStampConn turns on receive timestamps on c, closing it on failure.
func newStampConn(c net.Conn) (net.Conn, error) {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		c.Close()
		return nil, fmt.Errorf("%T is not a TCP connection", c)
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		c.Close()
		return nil, err
	}
	var serr error
	err = raw.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1)
	})
	if err = errors.Join(err, serr); err != nil {
		c.Close()
		return nil, fmt.Errorf("turning on receive timestamps: %w", err)
	}
	return &stampConn{TCPConn: tc, raw: raw, oob: make([]byte, syscall.CmsgSpace(16))}, nil
}

// Read reads like net.Conn.Read (deadlines included) and records the
// kernel's receive time of what it read.
func (c *stampConn) Read(b []byte) (int, error) {
	var n, oobn int
	var rerr error
	err := c.raw.Read(func(fd uintptr) bool {
		for {
			n, oobn, _, _, rerr = syscall.Recvmsg(int(fd), b, c.oob, 0)
			if rerr != syscall.EINTR {
				return rerr != syscall.EAGAIN // false: wait until readable
			}
		}
	})
	switch {
	case err != nil:
		return 0, err
	case rerr != nil:
		return 0, rerr
	case n == 0 && len(b) > 0:
		return 0, io.EOF
	}
	c.last, c.stamped = receivedAt(c.oob[:oobn])
	return n, nil
}

// receivedAt returns the SCM_TIMESTAMPNS time in oob, or now and false if
// the kernel sent none. It sends none for segments that arrived before
// timestamps were on: Linux turns them on for the whole system, a moment
// after the first socket asks.
func receivedAt(oob []byte) (time.Time, bool) {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err == nil {
		for _, m := range msgs {
			if m.Header.Level == syscall.SOL_SOCKET && m.Header.Type == syscall.SCM_TIMESTAMPNS && len(m.Data) >= 16 {
				sec := int64(binary.NativeEndian.Uint64(m.Data[0:8]))
				nsec := int64(binary.NativeEndian.Uint64(m.Data[8:16]))
				return time.Unix(sec, nsec), true
			}
		}
	}
	return time.Now(), false
}

// TestStampConnTakesKernelReceiveTime checks that a stamped connection
// reports when its bytes arrived, not when they were read: the client
// reads 50 ms after the server's write returned.
func TestStampConnTakesKernelReceiveTime(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	written := make(chan time.Time)
	go func() { // answers each byte the client sends with "hint"
		defer close(written)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		for {
			if _, err := c.Read(make([]byte, 1)); err != nil {
				return
			}
			before := time.Now()
			if _, err := c.Write([]byte("hint")); err != nil {
				return
			}
			written <- before
		}
	}()
	conn, err := dialStamped(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := conn.(*stampConn)
	exchange := func(wait time.Duration) (sent, reading time.Time) {
		t.Helper()
		if _, err := c.Write([]byte{1}); err != nil {
			t.Fatal(err)
		}
		sent, ok := <-written
		if !ok {
			t.Fatal("the server could not answer")
		}
		time.Sleep(wait)
		reading = time.Now()
		buf := make([]byte, 16)
		if n, err := c.Read(buf); err != nil || string(buf[:n]) != "hint" {
			t.Fatalf("read %q, %v", buf[:n], err)
		}
		return sent, reading
	}
	// Until Linux has turned timestamps on, a moment after the dial.
	for deadline := time.Now().Add(10 * time.Second); !c.stamped; {
		if time.Now().After(deadline) {
			t.Fatal("the kernel stamped no segment within 10s")
		}
		exchange(0)
	}
	sent, reading := exchange(50 * time.Millisecond)
	if !c.stamped || c.last.Before(sent) || !c.last.Before(reading) {
		t.Errorf("arrival stamped (by the kernel: %v) %v after the write began and %v before the read; want between the two",
			c.stamped, c.last.Sub(sent), reading.Sub(c.last))
	}
}
