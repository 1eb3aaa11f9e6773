package daemon

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/internal/acceptretry"
	"github.com/lvsadm/lvsadm/lvscf"
)

// The control protocol (package control): one request line, one JSON
// answer, then the daemon closes. Requests are bounded in size and time,
// and only a few are served at once, so a stuck client cannot pin the
// daemon.
const maxClients = 8

type controlServer struct {
	ln *net.UnixListener
}

// listenControl creates the socket, root only (mode 0600). A stale socket
// left by a dead daemon is replaced; a live one is an error.
func listenControl(path string) (*controlServer, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("control socket %s: another daemon is answering on it", path)
	}
	if err := removeStaleSocket(path); err != nil {
		return nil, err
	}
	// The umask makes the socket 0600 from its creation: no window where
	// others could connect.
	old := syscall.Umask(0o177)
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	syscall.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("control socket: %w", err)
	}
	return &controlServer{ln: ln}, nil
}

// controlHandler answers the requests; *Daemon is the one.
type controlHandler interface {
	status(control.Filter) (control.Status, error)
	Reload() (control.ReloadResult, error)
	override(control.OverrideRequest) (control.OverrideResult, error)
	directorRequest(control.DirectorRequest) (control.DirectorResult, error)
}

func (s *controlServer) serve(ctx context.Context, h controlHandler, log *slog.Logger) {
	stop := context.AfterFunc(ctx, func() { s.ln.Close() })
	defer stop()
	defer s.ln.Close() // also unlinks the socket file
	sem := make(chan struct{}, maxClients)
	var wg sync.WaitGroup
	defer wg.Wait()
	// Running out of descriptors (issue 11 item 5) must not end the
	// accept loop for good: it backs off and retries, logging rate-limited.
	acc := acceptretry.Loop{Log: log, What: "control socket"}
	for {
		c, err := acc.Accept(ctx, s.ln)
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, net.ErrClosed) {
				log.Error("control socket", "err", err)
			}
			return
		}
		select {
		case sem <- struct{}{}:
		default:
			c.Close() // too many clients at once
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			defer c.Close()
			c.SetDeadline(time.Now().Add(control.RequestTimeout))
			if err := handleControl(c, h, func(d time.Duration) { c.SetDeadline(time.Now().Add(d)) }); err != nil {
				log.Warn("control: a status answer was not delivered", "err", err)
			}
		}()
	}
}

// handleControl reads one request from c and answers it. longer extends
// the connection's deadline for a reload, which may take seconds, for a
// director drain, which waits, and as a status answer goes out. It
// returns why a status answer could not be written, the one failure worth
// a log line: the others are answers of a line.
func handleControl(c io.ReadWriter, h controlHandler, longer func(time.Duration)) error {
	line, err := bufio.NewReader(io.LimitReader(c, control.MaxRequest)).ReadString('\n')
	if err != nil && line == "" {
		return nil
	}
	req, err := control.ParseRequest(line)
	if err != nil {
		writeReply(c, control.Reply{Error: err.Error()})
		return nil
	}
	switch req.Op {
	case control.OpStatus:
		var f control.Filter
		if req.Filter != nil {
			f = *req.Filter
		}
		st, err := h.status(f)
		if err != nil {
			writeReply(c, control.Reply{Error: err.Error()})
			return nil
		}
		// Compact: the client indents for people ("lvsadm status -o
		// json"), and a 10,000-server answer indented costs the daemon
		// twice the time. The deadline moves ahead of every write: an
		// answer of tens of megabytes (100,000 servers) is not cut for
		// its length, while a client that stops reading is still
		// dropped after RequestTimeout.
		w := &movingDeadline{w: c, extend: func() { longer(control.RequestTimeout) }}
		if err := control.EncodeStatus(w, st); err != nil {
			return fmt.Errorf("after %d bytes: %w", w.n, err)
		}
	case control.OpReload:
		longer(control.ReloadTimeout)
		res, err := h.Reload()
		if err != nil {
			writeReply(c, control.Reply{Error: err.Error(), Refused: refusedLines(err)})
			return nil
		}
		writeReply(c, control.Reply{Reload: &res})
	case control.OpOverride:
		res, err := h.override(*req.Override)
		if err != nil {
			writeReply(c, control.Reply{Error: err.Error()})
			return nil
		}
		writeReply(c, control.Reply{Override: &res})
	case control.OpDirector:
		longer(req.Director.Wait + control.RequestTimeout)
		res, err := h.directorRequest(*req.Director)
		if err != nil {
			writeReply(c, control.Reply{Error: err.Error()})
			return nil
		}
		writeReply(c, control.Reply{Director: &res})
	}
	return nil
}

// movingDeadline calls extend before every write to w.
type movingDeadline struct {
	w      io.Writer
	extend func()
	n      int64
}

func (m *movingDeadline) Write(p []byte) (int, error) {
	m.extend()
	n, err := m.w.Write(p)
	m.n += int64(n)
	return n, err
}

// writeReply writes r as one line: an error answer starts with
// `{"error":` (package control tells it from a status by that).
func writeReply(w io.Writer, r control.Reply) {
	b, err := json.Marshal(r)
	if err != nil {
		b = []byte(`{"error":"encoding the answer failed"}`)
	}
	w.Write(append(b, '\n'))
}

// refusedLines are a refused reload's reasons: every lint error of the
// file ("FILE:LINE:COL: error: message [code]"), or the error's lines.
func refusedLines(err error) []string {
	var le *LintError
	if errors.As(err, &le) {
		var out []string
		for _, d := range le.Diags {
			if d.Severity == lvscf.SevError {
				out = append(out, d.String())
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return strings.Split(err.Error(), "\n")
}
