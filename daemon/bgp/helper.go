package bgp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
)

// HelperName is the BGP helper's file name. It is a program of its own so
// that lvsadm, which shell scripts run as ipvsadm thousands of times, does
// not link GoBGP (gRPC, protobuf, viper: 14 MB and most of its start-up
// time), and so the daemon of a pair, which never speaks BGP, does not
// carry it in memory.
const HelperName = "lvsadm-bgp"

// HelperEnv names the environment variable that, when set, is the helper's
// path; otherwise HelperPath looks beside the running binary, then in the
// package's libexec directories, then in PATH.
const HelperEnv = "LVSADM_BGP_HELPER"

// helperDirs are where packages install the helper.
var helperDirs = []string{"/usr/libexec/lvsadm", "/usr/lib/lvsadm"}

// HelperPath finds the helper program.
func HelperPath() (string, error) {
	if p := os.Getenv(HelperEnv); p != "" {
		return p, nil
	}
	var tried []string
	if exe, err := os.Executable(); err == nil {
		dirs := append([]string{filepath.Dir(exe)}, helperDirs...)
		for _, d := range dirs {
			p := filepath.Join(d, HelperName)
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
				return p, nil
			}
			tried = append(tried, p)
		}
	}
	if p, err := exec.LookPath(HelperName); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("bgp: the BGP helper %s is not installed (looked for %v and in PATH; %s names another path)", HelperName, tried, HelperEnv)
}

// helperProc is one running helper.
type helperProc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	wmu   sync.Mutex // one request written at a time
	enc   *json.Encoder
	// resps carries the helper's answers; closed when its output ends.
	resps chan Response
	// exited is closed once the helper has exited; waitErr says how.
	exited  chan struct{}
	waitErr error
}

// spawn starts a helper whose log lines go to log.
func spawn(log *slog.Logger) (*helperProc, error) {
	path, err := HelperPath()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, "-log-level", strconv.Itoa(int(lowestLevel(log))))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("bgp: helper: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("bgp: helper: %w", err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, fmt.Errorf("bgp: helper: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bgp: starting the helper %s: %w", path, err)
	}
	p := &helperProc{cmd: cmd, stdin: stdin, enc: json.NewEncoder(stdin), resps: make(chan Response, 1), exited: make(chan struct{})}
	var readers sync.WaitGroup
	readers.Add(2)
	go func() {
		defer readers.Done()
		defer close(p.resps)
		dec := json.NewDecoder(bufio.NewReader(stdout))
		for {
			var r Response
			if err := dec.Decode(&r); err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrClosed) {
					log.Warn("bgp: reading the helper's answer", "err", err)
				}
				_, _ = io.Copy(io.Discard, stdout) // let it exit
				return
			}
			p.resps <- r
		}
	}()
	go func() {
		defer readers.Done()
		relayLog(stderr, log)
	}()
	go func() {
		readers.Wait() // Wait closes the pipes: read them to the end first
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

func (p *helperProc) send(req Request) error {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	if err := p.enc.Encode(req); err != nil {
		return fmt.Errorf("bgp: sending %s to the helper: %w", req.Op, err)
	}
	return nil
}

// alive says whether the helper has not exited yet.
func (p *helperProc) alive() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// finish closes the helper's input, which ends it, and waits for it
// within ctx; past ctx it kills it.
func (p *helperProc) finish(ctx context.Context) error {
	_ = p.stdin.Close()
	select {
	case <-p.exited:
		return nil
	case <-ctx.Done():
		p.kill()
		return fmt.Errorf("bgp: helper did not exit: %w", ctx.Err())
	}
}

// kill ends the helper at once (its sessions close with the process) and
// waits for it.
func (p *helperProc) kill() {
	_ = p.cmd.Process.Kill()
	_ = p.stdin.Close()
	<-p.exited
}

// lowestLevel is the lowest slog level log passes, so that the helper
// does not format lines the daemon would drop.
func lowestLevel(log *slog.Logger) slog.Level {
	for l := slog.LevelDebug - 4; l < slog.LevelError; l += 4 {
		if log.Enabled(context.Background(), l) {
			return l
		}
	}
	return slog.LevelError
}

// relayLog passes the helper's JSON log lines to log, keeping their level,
// message and attributes (its time is dropped: the daemon's logger stamps
// its own). A line that is not JSON (a Go panic's trace) is logged as an
// error as it is.
func relayLog(r io.Reader, log *slog.Logger) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		level, msg, attrs, ok := parseLogLine(line)
		if !ok {
			log.Error("bgp helper: " + string(line))
			continue
		}
		log.Log(context.Background(), level, msg, attrs...)
	}
}

// parseLogLine reads one line of slog's JSON handler: its level, message
// and the other keys in their order.
func parseLogLine(line []byte) (slog.Level, string, []any, bool) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return 0, "", nil, false
	}
	var (
		level slog.Level
		msg   string
		attrs []any
	)
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return 0, "", nil, false
		}
		key, _ := t.(string)
		var v any
		if err := dec.Decode(&v); err != nil {
			return 0, "", nil, false
		}
		switch key {
		case slog.TimeKey:
		case slog.LevelKey:
			s, _ := v.(string)
			if level.UnmarshalText([]byte(s)) != nil {
				return 0, "", nil, false
			}
		case slog.MessageKey:
			msg, _ = v.(string)
		default:
			attrs = append(attrs, key, v)
		}
	}
	return level, msg, attrs, true
}
