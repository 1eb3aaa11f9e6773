package gobgpengine

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os/signal"
	"syscall"
	"time"

	"github.com/lvsadm/lvsadm/daemon/bgp"
)

// eofStopTimeout bounds the withdraw-and-close after the daemon went away
// without asking (its end of the pipe closed).
const eofStopTimeout = 5 * time.Second

// Main is the lvsadm-bgp helper: it serves the protocol of daemon/bgp
// (wire.go) on stdin and stdout and logs JSON to stderr at the level the
// daemon passes with -log-level. It returns the process's exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lvsadm-bgp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	level := fs.Int("log-level", 0, "lowest slog level logged (-4 debug, 0 info)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.Level(*level)}))
	// The daemon decides when BGP stops: withdraw first, then keep
	// forwarding for a moment. systemd's SIGTERM and a terminal's ^C reach
	// the whole group at once, so the helper leaves them to the daemon and
	// ends when the daemon closes the pipe (or is gone).
	signal.Ignore(syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	if err := Serve(stdin, stdout, log); err != nil {
		log.Error("bgp helper", "err", err)
		return 1
	}
	return 0
}

// Serve runs one speaker as the requests read from r say, answering each
// on w, until a stop request is answered or r ends (then it stops the
// speaker as Stop does).
func Serve(r io.Reader, w io.Writer, log *slog.Logger) error {
	dec := json.NewDecoder(bufio.NewReader(r))
	out := bufio.NewWriter(w)
	enc := json.NewEncoder(out)
	var sp *Speaker
	for {
		var req bgp.Request
		if err := dec.Decode(&req); err != nil {
			if sp != nil {
				ctx, cancel := context.WithTimeout(context.Background(), eofStopTimeout)
				if serr := sp.Stop(ctx); serr != nil {
					log.Warn("bgp: stop after the daemon went away", "err", serr)
				}
				cancel()
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("reading a request: %w", err)
		}
		ctx, cancel := context.Background(), context.CancelFunc(func() {})
		if req.Timeout > 0 {
			ctx, cancel = context.WithTimeout(ctx, req.Timeout)
		}
		resp := bgp.Response{ID: req.ID}
		var err error
		sp, err = handle(ctx, sp, req, &resp, log)
		cancel()
		if err != nil {
			resp.Err = err.Error()
			resp.RestartNeeded = errors.Is(err, bgp.ErrRestartNeeded)
		}
		if err := enc.Encode(resp); err != nil {
			return fmt.Errorf("answering %s: %w", req.Op, err)
		}
		if err := out.Flush(); err != nil {
			return fmt.Errorf("answering %s: %w", req.Op, err)
		}
		if req.Op == bgp.OpStop {
			return nil
		}
	}
}

// handle carries out one request on sp (nil before start) and gives the
// speaker that follows.
func handle(ctx context.Context, sp *Speaker, req bgp.Request, resp *bgp.Response, log *slog.Logger) (*Speaker, error) {
	if sp == nil && req.Op != bgp.OpStart && req.Op != bgp.OpStop {
		return nil, fmt.Errorf("bgp helper: %q before start", req.Op)
	}
	switch req.Op {
	case bgp.OpStart:
		if sp != nil {
			return sp, errors.New("bgp helper: started twice")
		}
		if req.Config == nil {
			return nil, errors.New("bgp helper: start without a configuration")
		}
		s, err := New(*req.Config, log)
		if err != nil {
			return nil, err
		}
		if err := s.SetRoutes(ctx, req.Routes); err != nil {
			return nil, err
		}
		// The speaker's own life is not the request's: it runs until
		// stop or the end of the input.
		if err := s.Start(context.Background()); err != nil {
			return nil, err
		}
		return s, nil
	case bgp.OpReconfigure:
		if req.Config == nil {
			return sp, errors.New("bgp helper: reconfigure without a configuration")
		}
		return sp, sp.Reconfigure(ctx, *req.Config)
	case bgp.OpRoutes:
		return sp, sp.SetRoutes(ctx, req.Routes)
	case bgp.OpWithdrawAll:
		return sp, sp.WithdrawAll(ctx, req.Reason)
	case bgp.OpStatus:
		st := sp.Status(ctx)
		resp.Status = &st
		return sp, nil
	case bgp.OpStop:
		if sp == nil {
			return nil, nil
		}
		return sp, sp.Stop(ctx)
	}
	return sp, fmt.Errorf("bgp helper: unknown operation %q", req.Op)
}
