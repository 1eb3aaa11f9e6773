package kernel

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"sync"

	"github.com/lvsadm/lvsadm/ops"
)

// Connections reads the connection table from ConnPath
// (/proc/net/ip_vs_conn), which netlink cannot dump.
func (k *Kernel) Connections(ctx context.Context, fn func(*ops.Connection) error) error {
	path := k.ConnPath
	if path == "" {
		path = DefaultConnPath
	}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			err = fmt.Errorf("%w: %w", ops.ErrNoIPVS, err)
		}
		return &ops.KernelError{Op: ops.OpConnections, Err: err}
	}
	defer f.Close()
	if err := parseConns(ctx, f, fn); err != nil {
		var stop *stopError
		if errors.As(err, &stop) {
			return stop.err
		}
		return &ops.KernelError{Op: ops.OpConnections, Err: fmt.Errorf("%s: %w", path, err)}
	}
	return nil
}

// stopError carries the callback's own error out of parseConns untouched.
type stopError struct{ err error }

func (e *stopError) Error() string { return e.err.Error() }

// parseConns parses the kernel's ip_vs_conn_seq_show output
// (net/netfilter/ipvs/ip_vs_conn.c):
//
//	Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData
//	TCP C0A80001 D431 0A000001 0050 0A000002 0050 ESTABLISHED     897
//
// one line per entry, printed as "%-3s %08X %04X %08X %04X %s %04X %-11s
// %7u%s" where IPv4 addresses are 8 hex digits, IPv6 ones "%pI6" (eight
// groups of four hex digits), the destination printed by its own family
// (mixed pools), and a persistence engine appends " name data". It reads
// with one buffer, shares address storage between entries and interns the
// protocol and state names, so large tables cost few allocations.
func parseConns(ctx context.Context, r io.Reader, fn func(*ops.Connection) error) error {
	br := connReaders.Get().(*bufio.Reader)
	br.Reset(r)
	defer func() {
		br.Reset(nil)
		connReaders.Put(br)
	}()
	var (
		p      connParser
		lineNo int
		c      ops.Connection // one entry, reused: fn must not keep it
	)
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return fmt.Errorf("line %d too long", lineNo+1)
		}
		if len(line) > 0 {
			lineNo++
			if lineNo%4096 == 0 {
				if cerr := ctx.Err(); cerr != nil {
					return cerr
				}
				// The entries before this one are gone to fn: let their
				// address storage go too.
				p.slab = nil
			}
			var ok bool
			var perr error
			c, ok, perr = p.parseLine(line)
			if perr != nil {
				return fmt.Errorf("line %d: %w", lineNo, perr)
			}
			if ok {
				if ferr := fn(&c); ferr != nil {
					return &stopError{ferr}
				}
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// connReaders keeps the 64 KiB read buffers between reads of the table: a
// TUI reads it every second, and a fresh buffer each time was most of what
// a refresh of a small table allocated.
var connReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 64<<10) }}

// connParser holds what lines share: address storage and interned names.
type connParser struct {
	slab   []byte
	intern map[string]string
	fields [10][]byte
}

// parseLine parses one line; ok is false for the header and blank lines.
func (p *connParser) parseLine(line []byte) (c ops.Connection, ok bool, err error) {
	// Ten words; a persistence engine's data is the rest of the line.
	f := p.fields[:0]
	var rest []byte
	for i := 0; i < len(line); {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if len(f) == 10 {
			rest = bytes.TrimRight(line[i:], " \t\r\n")
			break
		}
		j := i
		for j < len(line) && !isSpace(line[j]) {
			j++
		}
		if j > i {
			f = append(f, line[i:j])
		}
		i = j
	}
	if len(f) == 0 || bytes.Equal(f[0], []byte("Pro")) {
		return c, false, nil
	}
	if len(f) < 9 {
		return c, false, fmt.Errorf("%d fields, want at least 9", len(f))
	}
	c.Protocol = p.name(f[0])
	if c.Client, err = p.addr(f[1]); err != nil {
		return c, false, err
	}
	if c.CPort, err = hex16(f[2]); err != nil {
		return c, false, err
	}
	if c.Virtual, err = p.addr(f[3]); err != nil {
		return c, false, err
	}
	if c.VPort, err = hex16(f[4]); err != nil {
		return c, false, err
	}
	if c.Dest, err = p.addr(f[5]); err != nil {
		return c, false, err
	}
	if c.DPort, err = hex16(f[6]); err != nil {
		return c, false, err
	}
	c.State = p.name(f[7])
	if c.Expires, err = dec32(f[8]); err != nil {
		return c, false, err
	}
	if len(f) > 9 {
		c.PEName = p.name(f[9])
	}
	if len(rest) > 0 {
		c.PEData = string(rest)
	}
	return c, true, nil
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// name interns short repeated words (protocols, states, engines).
func (p *connParser) name(b []byte) string {
	if s, ok := p.intern[string(b)]; ok {
		return s
	}
	s := string(b)
	if p.intern == nil {
		p.intern = make(map[string]string)
	}
	if len(p.intern) < 1024 {
		p.intern[s] = s
	}
	return s
}

// alloc returns n bytes of shared address storage.
func (p *connParser) alloc(n int) []byte {
	if cap(p.slab)-len(p.slab) < n {
		p.slab = make([]byte, 0, 16*1024)
	}
	l := len(p.slab)
	p.slab = p.slab[:l+n]
	return p.slab[l : l+n : l+n]
}

// addr parses an address as the kernel prints it: 8 hex digits (IPv4,
// host order of ntohl) or %pI6.
func (p *connParser) addr(b []byte) (net.IP, error) {
	if len(b) == 8 {
		v, ok := hexN(b)
		if !ok {
			return nil, fmt.Errorf("bad IPv4 address %q", b)
		}
		ip := p.alloc(4)
		ip[0], ip[1], ip[2], ip[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
		return net.IP(ip), nil
	}
	if ip, ok := p.parseFullIPv6(b); ok {
		return ip, nil
	}
	if ip := net.ParseIP(string(b)); ip != nil {
		return ip, nil
	}
	return nil, fmt.Errorf("bad address %q", b)
}

// parseFullIPv6 parses eight colon-separated groups of 1-4 hex digits.
func (p *connParser) parseFullIPv6(b []byte) (net.IP, bool) {
	var ip [16]byte
	g := 0
	for i := 0; i <= len(b); g++ {
		j := i
		for j < len(b) && b[j] != ':' {
			j++
		}
		if g >= 8 || j == i || j-i > 4 {
			return nil, false
		}
		v, ok := hexN(b[i:j])
		if !ok {
			return nil, false
		}
		ip[2*g], ip[2*g+1] = byte(v>>8), byte(v)
		i = j + 1
	}
	if g != 8 {
		return nil, false
	}
	out := p.alloc(16)
	copy(out, ip[:])
	return net.IP(out), true
}

func hexN(b []byte) (uint32, bool) {
	if len(b) == 0 || len(b) > 8 {
		return 0, false
	}
	var v uint32
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		default:
			return 0, false
		}
		v = v<<4 | uint32(c)
	}
	return v, true
}

func hex16(b []byte) (uint16, error) {
	if len(b) > 4 {
		return 0, fmt.Errorf("bad port %q", b)
	}
	v, ok := hexN(b)
	if !ok {
		return 0, fmt.Errorf("bad port %q", b)
	}
	return uint16(v), nil
}

func dec32(b []byte) (uint32, error) {
	if len(b) == 0 || len(b) > 10 {
		return 0, fmt.Errorf("bad number %q", b)
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("bad number %q", b)
		}
		v = v*10 + uint64(c-'0')
	}
	if v > 1<<32-1 {
		return 0, fmt.Errorf("number %q out of range", b)
	}
	return uint32(v), nil
}
