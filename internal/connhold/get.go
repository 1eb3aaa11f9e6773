package connhold

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// GetReport is what Get found, in the JSON the command prints.
type GetReport struct {
	Target  string  `json:"target"`
	Backend string  `json:"backend"`
	Want    int64   `json:"want"`
	Got     int64   `json:"got"`
	Reset   bool    `json:"reset"`
	Error   string  `json:"error,omitempty"`
	Seconds float64 `json:"seconds"`
}

// OK tells whether every byte arrived, in order.
func (r GetReport) OK() bool { return r.Error == "" && r.Got == r.Want }

// Get downloads n bytes from target (at rate bytes a second if rate > 0)
// and checks their count and content. idle bounds the wait for any one
// read, so a download stalled by a failover longer than idle fails. The
// error is for a target that cannot be parsed; what went wrong with the
// download is in the report.
func Get(ctx context.Context, target string, n, rate int64, idle time.Duration) (GetReport, error) {
	if _, _, err := net.SplitHostPort(target); err != nil {
		return GetReport{}, fmt.Errorf("target %q: %w", target, err)
	}
	rep := GetReport{Target: target, Want: n}
	start := time.Now()
	err := get(ctx, target, n, rate, idle, &rep)
	rep.Seconds = time.Since(start).Seconds()
	if err != nil {
		rep.Error = err.Error()
		rep.Reset = errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
	}
	return rep, nil
}

func get(ctx context.Context, target string, n, rate int64, idle time.Duration, rep *GetReport) error {
	d := net.Dialer{Timeout: idle}
	c, err := d.DialContext(ctx, "tcp", target)
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Now()) })
	defer stop()
	if err := c.SetDeadline(time.Now().Add(idle)); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(c, "get %d %d\n", n, rate); err != nil {
		return fmt.Errorf("request: %w", err)
	}
	r := bufio.NewReaderSize(c, 64<<10)
	head, err := r.ReadString('\n')
	if err != nil {
		return fmt.Errorf("header: %w", err)
	}
	name, size, ok := strings.Cut(strings.TrimSuffix(head, "\n"), " ")
	if want := strconv.FormatInt(n, 10); !ok || size != want {
		return fmt.Errorf("header %q: want NAME %s", head, want)
	}
	rep.Backend = name
	buf := make([]byte, 64<<10)
	for {
		if err := c.SetReadDeadline(time.Now().Add(idle)); err != nil {
			return err
		}
		m, err := r.Read(buf)
		for i := 0; i < m; i++ {
			if buf[i] != Pattern(rep.Got+int64(i)) {
				rep.Got += int64(i)
				return fmt.Errorf("byte %d is %q, want %q", rep.Got, buf[i], Pattern(rep.Got))
			}
		}
		rep.Got += int64(m)
		if rep.Got > n {
			return fmt.Errorf("%d bytes, more than the %d asked for", rep.Got, n)
		}
		if errors.Is(err, io.EOF) {
			if rep.Got < n {
				return fmt.Errorf("closed after %d of %d bytes", rep.Got, n)
			}
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("stopped after %d of %d bytes: %w", rep.Got, n, ctx.Err())
			}
			return fmt.Errorf("after %d of %d bytes: %w", rep.Got, n, err)
		}
	}
}

// ParseSize reads a byte count with an optional K, M or G suffix (powers
// of 1024), as in "20M".
func ParseSize(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, strings.TrimSuffix(s, "K")
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, strings.TrimSuffix(s, "M")
	case strings.HasSuffix(s, "G"):
		mult, s = 1<<30, strings.TrimSuffix(s, "G")
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 || v > (1<<62)/mult {
		return 0, fmt.Errorf("size %q: want a number with an optional K, M or G", s)
	}
	return v * mult, nil
}
