package daemon

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a log sink the daemon's goroutines may share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// TestWarnsWithoutKey: a daemon whose heartbeat is not signed says so at
// start (issue 11, item 10); one with a key file does not.
func TestWarnsWithoutKey(t *testing.T) {
	rs1, rs2 := newRS(t), newRS(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "lvs.cf")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(cfgTemplate, 1, freeUDPPort(t), "rr", rs1.port, rs2.port)), 0o644)
	keyPath := filepath.Join(dir, "hb.key")
	os.WriteFile(keyPath, []byte("0123456789abcdef0123456789abcdef\n"), 0o600)
	for _, keyed := range []bool{false, true} {
		var logs lockedBuffer
		d := startDirector(t, cfgPath, "127.0.0.1", "", func(o *Options) {
			o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			if keyed {
				o.KeyFile = keyPath
			}
		})
		waitUntil(t, "started", func() bool { return strings.Contains(logs.String(), "msg=starting") }, logs.String)
		d.stop(t)
		if warned := strings.Contains(logs.String(), "heartbeat has no key"); warned == keyed {
			t.Errorf("keyed=%v: warned=%v\n%s", keyed, warned, logs.String())
		}
	}
}
