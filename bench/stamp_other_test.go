//go:build !linux

package bench

import (
	"context"
	"net"
	"time"
)

// stampConn stands in for the Linux one, which records the kernel's
// receive time: here last is when Read returned.
type stampConn struct {
	net.Conn
	last time.Time
}

// dialStamped dials a TCP connection.
func dialStamped(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &stampConn{Conn: c}, nil
}

// Read reads like net.Conn.Read and records when it returned.
func (c *stampConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.last = time.Now()
	return n, err
}
