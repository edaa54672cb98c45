//go:build !linux

package bench

import (
	"net"
	"time"
)

// stampConn stands in for the Linux one, which records the kernel's
// receive time: here last is when Read returned.
type stampConn struct {
	net.Conn
	last    time.Time
	stamped bool // never
}

// newStampConn wraps c.
func newStampConn(c net.Conn) (net.Conn, error) { return &stampConn{Conn: c}, nil }

// Read reads like net.Conn.Read and records when it returned.
func (c *stampConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.last = time.Now()
	return n, err
}
