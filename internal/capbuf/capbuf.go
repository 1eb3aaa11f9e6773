// Package capbuf is a writer that keeps the first N bytes written to it and
// discards the rest, so a command or a server that writes without end
// costs at most N bytes of memory.
//
// It deliberately does not embed bytes.Buffer: io.Copy prefers the
// destination's ReadFrom, and an embedded Buffer's ReadFrom reads the whole
// source into the buffer, growing it without bound and bypassing any cap
// Write enforces. A Buffer here has Write only, so io.Copy and os/exec's
// pipe copy go through Write.
package capbuf

import "sync"

// Buffer keeps the first Max bytes written. Writes never fail and report
// the whole length, so a writer (an os/exec pipe copier) keeps draining
// its source instead of blocking the process that writes. It is safe for
// concurrent use: os/exec copies stdout and stderr from two goroutines
// when both are the same non-*os.File writer.
type Buffer struct {
	mu        sync.Mutex
	max       int
	b         []byte
	truncated bool
}

// New returns a Buffer keeping at most max bytes (max <= 0 keeps nothing).
func New(max int) *Buffer {
	return &Buffer{max: max}
}

// Write keeps what fits and discards the rest.
func (c *Buffer) Write(p []byte) (int, error) {
	n := len(p)
	c.mu.Lock()
	defer c.mu.Unlock()
	room := c.max - len(c.b)
	if room < 0 {
		room = 0
	}
	if len(p) > room {
		c.truncated = true
		p = p[:room]
	}
	if len(p) > 0 {
		if c.b == nil {
			// Allocated once at its full size: appends never
			// reallocate beyond max.
			c.b = make([]byte, 0, c.max)
		}
		c.b = append(c.b, p...)
	}
	return n, nil
}

// Bytes returns a copy of what was kept.
func (c *Buffer) Bytes() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]byte(nil), c.b...)
}

// String returns what was kept.
func (c *Buffer) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.b)
}

// Len is the number of bytes kept.
func (c *Buffer) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.b)
}

// Truncated says whether bytes were discarded.
func (c *Buffer) Truncated() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.truncated
}
