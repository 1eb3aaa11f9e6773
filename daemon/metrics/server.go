package metrics

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/lvsadm/lvsadm/internal/acceptretry"
)

// The endpoint is a small HTTP/1.1 responder written here rather than
// net/http: linking net/http brings crypto/tls and some forty packages'
// initialisers into every start of the lvsadm binary (measured +0.4 ms and
// +4 MB), which every ipvsadm-style invocation in a shell loop would pay
// for a feature that is off by default. A scrape needs one request per
// connection, GET or HEAD, and a response with a length: that is all this
// does. Requests are bounded in size (16 KiB) and time (10 s).

const (
	maxRequest  = 16 << 10
	connTimeout = 10 * time.Second
	// DefaultMaxConns bounds the connections served at once. A scrape is
	// one short connection every few seconds; without a cap, 400 held
	// connections took the daemon's descriptors and a healthy real server
	// was marked down for "too many open files" (issue 11 item 5).
	DefaultMaxConns = 16
)

// Server answers scrapes.
type Server struct {
	Gather func(ctx context.Context) Snapshot
	// Log gets the accept errors that are retried (rate-limited); nil:
	// none.
	Log *slog.Logger
	// MaxConns bounds the connections served at once (0:
	// DefaultMaxConns); one over it is closed at once, unanswered.
	MaxConns int
}

// Serve answers scrapes on ln until ctx ends, then closes ln and waits for
// the requests in flight (each bounded by connTimeout).
func Serve(ctx context.Context, ln net.Listener, gather func(ctx context.Context) Snapshot) error {
	return (&Server{Gather: gather}).Serve(ctx, ln)
}

// Serve answers scrapes on ln until ctx ends, then closes ln and waits for
// the requests in flight (each bounded by connTimeout). Running out of
// descriptors does not stop it: accept is retried with a backoff
// (acceptretry).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	max := s.MaxConns
	if max <= 0 {
		max = DefaultMaxConns
	}
	sem := make(chan struct{}, max)
	acc := acceptretry.Loop{Log: s.Log, What: "metrics endpoint"}
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		c, err := acc.Accept(ctx, ln)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("metrics: accept: %w", err)
		}
		select {
		case sem <- struct{}{}:
		default:
			c.Close() // as many scrapes in flight as allowed
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			serveConn(ctx, c, s.Gather)
		}()
	}
}

// serveConn reads one request and answers it, then closes the connection.
func serveConn(ctx context.Context, c net.Conn, gather func(ctx context.Context) Snapshot) {
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	_ = c.SetDeadline(time.Now().Add(connTimeout))
	br := bufio.NewReader(io.LimitReader(c, maxRequest))
	line, err := br.ReadString('\n')
	if err != nil {
		return
	}
	f := strings.Fields(line)
	if len(f) != 3 || !strings.HasPrefix(f[2], "HTTP/1.") {
		respond(c, 400, "Bad Request", "", nil, false)
		return
	}
	for {
		h, err := br.ReadString('\n')
		if err != nil {
			return // headers too long or the client went away
		}
		if h == "\r\n" || h == "\n" {
			break
		}
	}
	method, path := f[0], f[1]
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	head := method == "HEAD"
	switch {
	case path != "/metrics":
		respond(c, 404, "Not Found", "text/plain; charset=utf-8", []byte("404 page not found\n"), head)
	case method != "GET" && !head:
		respond(c, 405, "Method Not Allowed", "text/plain; charset=utf-8", []byte("method not allowed\n"), false, "Allow: GET, HEAD")
	default:
		var body bytes.Buffer
		if !head {
			_ = Write(&body, gather(ctx))
		}
		respond(c, 200, "OK", ContentType, body.Bytes(), head)
	}
}

// respond writes a complete response; with head the body is left out.
func respond(w io.Writer, code int, reason, ctype string, body []byte, head bool, extra ...string) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", code, reason)
	if ctype != "" {
		fmt.Fprintf(&b, "Content-Type: %s\r\n", ctype)
	}
	if !head {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("Connection: close\r\n\r\n")
	if !head {
		b.Write(body)
	}
	_, _ = w.Write(b.Bytes())
}
