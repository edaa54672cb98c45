package bench

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
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
	// (for TCP, that of the last segment the read took bytes from). Only
	// the connection's one reader uses it.
	last time.Time
}

// dialStamped dials a TCP connection with receive timestamps on.
func dialStamped(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	tc, ok := c.(*net.TCPConn)
	if !ok {
		c.Close()
		return nil, fmt.Errorf("dialing %s: %T is not a TCP connection", addr, c)
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
	c.last = receivedAt(c.oob[:oobn])
	return n, nil
}

// receivedAt returns the SCM_TIMESTAMPNS time in oob, or now if the kernel
// sent none.
func receivedAt(oob []byte) time.Time {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err == nil {
		for _, m := range msgs {
			if m.Header.Level == syscall.SOL_SOCKET && m.Header.Type == syscall.SCM_TIMESTAMPNS && len(m.Data) >= 16 {
				sec := int64(binary.NativeEndian.Uint64(m.Data[0:8]))
				nsec := int64(binary.NativeEndian.Uint64(m.Data[8:16]))
				return time.Unix(sec, nsec)
			}
		}
	}
	return time.Now()
}
