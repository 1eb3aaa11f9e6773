package control

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"
)

// DefaultSocket is where lvsadm daemon listens unless told otherwise.
const DefaultSocket = "/run/lvsadm/lvsadm.sock"

// ErrNoDaemon means nothing answers on the control socket: no daemon runs.
var ErrNoDaemon = errors.New("no daemon")

// RefusedError is a reload the daemon refused: the file has lint errors
// (or could not be applied); the daemon keeps running the previous one.
type RefusedError struct {
	Msg   string
	Lines []string // the lint errors, "FILE:LINE:COL: error: message [code]"
}

func (e *RefusedError) Error() string { return e.Msg }

// Client talks to the daemon on one control socket. Each call is one
// connection, bounded by its context (and, without a deadline there, by
// the protocol's timeouts).
type Client struct{ Path string }

// New returns a client for the socket at path (DefaultSocket if empty).
func New(path string) *Client {
	if path == "" {
		path = DefaultSocket
	}
	return &Client{Path: path}
}

// Where names the daemon in messages.
func (c *Client) Where() string { return c.Path }

// Status asks for the status, narrowed by f.
func (c *Client) Status(ctx context.Context, f Filter) (*Status, error) {
	raw, err := c.StatusJSON(ctx, f)
	if err != nil {
		return nil, err
	}
	var s Status
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("decoding the daemon's answer: %w", err)
	}
	return &s, nil
}

// StatusJSON asks for the status and returns the daemon's JSON as it came
// (lvsadm status -o json prints it without decoding it).
func (c *Client) StatusJSON(ctx context.Context, f Filter) ([]byte, error) {
	req := "status\n" // the first protocol's request: any daemon answers it
	if !f.IsZero() {
		b, err := json.Marshal(Request{Op: OpStatus, Filter: &f})
		if err != nil {
			return nil, fmt.Errorf("encoding the request: %w", err)
		}
		req = string(b) + "\n"
	}
	raw, err := c.roundTrip(ctx, req, RequestTimeout*2)
	if err != nil {
		return nil, err
	}
	if err := answerError(raw); err != nil {
		return nil, err
	}
	return raw, nil
}

// Reload asks the daemon to read its configuration again. A refused
// reload is a *RefusedError.
func (c *Client) Reload(ctx context.Context) (ReloadResult, error) {
	rep, err := c.call(ctx, Request{Op: OpReload}, ReloadTimeout)
	if err != nil {
		return ReloadResult{}, err
	}
	if rep.Reload == nil {
		return ReloadResult{}, errors.New("the daemon's answer holds no reload result")
	}
	return *rep.Reload, nil
}

// Override asks the daemon to change operator overrides.
func (c *Client) Override(ctx context.Context, r OverrideRequest) (OverrideResult, error) {
	if err := r.Check(); err != nil {
		return OverrideResult{}, err
	}
	rep, err := c.call(ctx, Request{Op: OpOverride, Override: &r}, RequestTimeout*2)
	if err != nil {
		return OverrideResult{}, err
	}
	if rep.Override == nil {
		return OverrideResult{}, errors.New("the daemon's answer holds no override result")
	}
	return *rep.Override, nil
}

// Director drains or undrains this director; a drain's answer comes after
// its wait.
func (c *Client) Director(ctx context.Context, r DirectorRequest) (DirectorResult, error) {
	if err := r.Check(); err != nil {
		return DirectorResult{}, err
	}
	rep, err := c.call(ctx, Request{Op: OpDirector, Director: &r}, r.Wait+RequestTimeout*2)
	if err != nil {
		return DirectorResult{}, err
	}
	if rep.Director == nil {
		return DirectorResult{}, errors.New("the daemon's answer holds no director result")
	}
	return *rep.Director, nil
}

func (c *Client) call(ctx context.Context, r Request, timeout time.Duration) (Reply, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return Reply{}, fmt.Errorf("encoding the request: %w", err)
	}
	raw, err := c.roundTrip(ctx, string(b)+"\n", timeout)
	if err != nil {
		return Reply{}, err
	}
	var rep Reply
	if err := json.Unmarshal(raw, &rep); err != nil {
		return Reply{}, fmt.Errorf("decoding the daemon's answer: %w", err)
	}
	if len(rep.Refused) > 0 {
		return Reply{}, &RefusedError{Msg: rep.Error, Lines: rep.Refused}
	}
	if rep.Error != "" {
		return Reply{}, errors.New(rep.Error)
	}
	return rep, nil
}

// answerError decodes an error answer; a status is not one.
func answerError(raw []byte) error {
	if !bytes.HasPrefix(raw, []byte(`{"error":`)) {
		return nil
	}
	var rep Reply
	if err := json.Unmarshal(raw, &rep); err != nil {
		return fmt.Errorf("decoding the daemon's answer: %w", err)
	}
	return errors.New(rep.Error)
}

// roundTrip sends one request line and reads the whole answer, within
// ctx. timeout bounds the daemon's silence, not the answer's length: the
// wait for the first byte, then each wait for more. A status at 100,000
// real servers is tens of megabytes, whose writing takes longer than any
// fixed bound on a slow machine, while a daemon that stops answering is
// still given up on.
func (c *Client) roundTrip(ctx context.Context, req string, timeout time.Duration) ([]byte, error) {
	var dl net.Dialer
	dctx, cancel := context.WithTimeout(ctx, timeout)
	conn, err := dl.DialContext(dctx, "unix", c.Path)
	cancel()
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED) {
			return nil, fmt.Errorf("%w at %s: %w", ErrNoDaemon, c.Path, err)
		}
		return nil, fmt.Errorf("connecting to the daemon at %s: %w", c.Path, err)
	}
	defer conn.Close()
	ir := &idleReader{conn: conn, ctx: ctx, timeout: timeout}
	ir.extend()
	// A context cancelled before its deadline still ends a stuck read.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := io.WriteString(conn, req); err != nil {
		return nil, fmt.Errorf("asking the daemon at %s: %w", c.Path, err)
	}
	raw, err := io.ReadAll(io.LimitReader(ir, MaxAnswer+1))
	if err != nil {
		// The caller's context ended the read, not the daemon's silence
		// past timeout: say so (errors.Is tells them apart). Its deadline
		// is the connection's, which can expire a moment before the
		// context's own timer marks it done.
		cerr := ctx.Err()
		if dl, ok := ctx.Deadline(); cerr == nil && ok && !time.Now().Before(dl) {
			cerr = context.DeadlineExceeded
		}
		if cerr != nil {
			err = fmt.Errorf("%w: %w", cerr, err)
		} else if errors.Is(err, os.ErrDeadlineExceeded) {
			err = fmt.Errorf("no answer from the daemon for %v, after %d bytes of it: %w", timeout, len(raw), err)
		}
		return nil, fmt.Errorf("reading the daemon's answer: %w", err)
	}
	if len(raw) > MaxAnswer {
		return nil, fmt.Errorf("the daemon's answer is larger than %d bytes", MaxAnswer)
	}
	// Every answer ends with a newline: one without it was cut short, and
	// saying so beats a JSON decoder's "unexpected end of input".
	if len(raw) == 0 {
		return nil, fmt.Errorf("the daemon at %s closed the connection without answering (its log may say why)", c.Path)
	}
	if raw[len(raw)-1] != '\n' {
		return nil, fmt.Errorf("the daemon's answer was cut short after %d bytes (the daemon stopped writing it; its log may say why)", len(raw))
	}
	return raw, nil
}

// idleReader reads conn, moving its deadline timeout ahead of every read
// that brought data, but never past ctx's deadline.
type idleReader struct {
	conn    net.Conn
	ctx     context.Context
	timeout time.Duration
}

func (r *idleReader) extend() {
	d := time.Now().Add(r.timeout)
	if cd, ok := r.ctx.Deadline(); ok && cd.Before(d) {
		d = cd
	}
	r.conn.SetDeadline(d)
	if r.ctx.Err() != nil {
		r.conn.SetDeadline(time.Unix(1, 0)) // cancelled meanwhile: the AfterFunc's may have come first
	}
}

func (r *idleReader) Read(p []byte) (int, error) {
	n, err := r.conn.Read(p)
	if n > 0 && r.ctx.Err() == nil {
		r.extend()
	}
	return n, err
}
