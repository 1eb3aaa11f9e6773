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
)

// The control protocol: the client sends one line ("status"), the daemon
// answers with one JSON document and closes. Requests are bounded in size
// and time, and only a few are served at once, so a stuck client cannot
// pin the daemon.
const (
	maxRequest     = 256
	requestTimeout = 5 * time.Second
	maxClients     = 8
)

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

func (s *controlServer) serve(ctx context.Context, status func() Status, log *slog.Logger) {
	stop := context.AfterFunc(ctx, func() { s.ln.Close() })
	defer stop()
	defer s.ln.Close() // also unlinks the socket file
	sem := make(chan struct{}, maxClients)
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		c, err := s.ln.AcceptUnix()
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
			c.SetDeadline(time.Now().Add(requestTimeout))
			handleControl(c, status)
		}()
	}
}

func handleControl(c io.ReadWriter, status func() Status) {
	line, err := bufio.NewReader(io.LimitReader(c, maxRequest)).ReadString('\n')
	if err != nil && line == "" {
		return
	}
	enc := json.NewEncoder(c)
	enc.SetIndent("", "  ")
	switch strings.TrimSpace(line) {
	case "status":
		enc.Encode(status())
	default:
		enc.Encode(map[string]string{"error": fmt.Sprintf("unknown request %q", strings.TrimSpace(line))})
	}
}

// maxStatus bounds what the client reads.
const maxStatus = 16 << 20

// QueryStatus asks the daemon on socket path for its status.
func QueryStatus(ctx context.Context, path string) (*Status, []byte, error) {
	var dl net.Dialer
	c, err := dl.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, nil, fmt.Errorf("connecting to the daemon at %s: %w", path, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(requestTimeout))
	if _, err := io.WriteString(c, "status\n"); err != nil {
		return nil, nil, fmt.Errorf("asking the daemon: %w", err)
	}
	raw, err := io.ReadAll(io.LimitReader(c, maxStatus))
	if err != nil {
		return nil, nil, fmt.Errorf("reading the daemon's answer: %w", err)
	}
	var s Status
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, raw, fmt.Errorf("decoding the daemon's answer: %w", err)
	}
	return &s, raw, nil
}
