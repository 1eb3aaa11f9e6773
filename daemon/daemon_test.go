package daemon

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/daemon/health"
	"github.com/lvsadm/lvsadm/daemon/heartbeat"
	"github.com/lvsadm/lvsadm/daemon/vip"
	"github.com/lvsadm/lvsadm/internal/testwait"
	"github.com/lvsadm/lvsadm/ops"
)

// rs is a real server on 127.0.0.1 that accepts and closes; it can be
// stopped and started again on the same port.
type rs struct {
	t    *testing.T
	port int
	mu   sync.Mutex
	ln   net.Listener
	wg   sync.WaitGroup
}

func newRS(t *testing.T) *rs {
	r := &rs{t: t}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *rs) start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", r.port))
	if err != nil {
		r.t.Fatal(err)
	}
	r.ln = ln
	r.port = ln.Addr().(*net.TCPAddr).Port
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
}

func (r *rs) stop() {
	r.mu.Lock()
	if r.ln != nil {
		r.ln.Close()
		r.ln = nil
	}
	r.mu.Unlock()
	r.wg.Wait()
}

func freeUDPPort(t testing.TB) int {
	t.Helper()
	for i := 0; i < 20; i++ {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := c.LocalAddr().(*net.UDPAddr).Port
		c.Close()
		if c2, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.2:%d", p)); err == nil {
			c2.Close()
			return p
		}
	}
	t.Fatal("no free port")
	return 0
}

const cfgTemplate = `serial_no = %d
primary = 127.0.0.1
backup = 127.0.0.2
backup_active = 1
heartbeat = 1
heartbeat_port = %d
keepalive = 0.1
deadtime = 0.6
network = nat
nat_router = 10.99.0.254 eth0:9
syncdaemon = 1
syncd_iface = lo
virtual web {
     active = 1
     address = 192.168.50.10 eth0:1
     port = 8080
     scheduler = %s
     timeout = 0.3
     reentry = 0.6
     server rs1 {
         address = 127.0.0.1
         port = %d
         active = 1
     }
     server rs2 {
         address = 127.0.0.1
         port = %d
         active = 1
     }
}
`

type director struct {
	d      *Daemon
	k      *memKernel
	vips   *fakeVIPs
	sock   string
	cancel context.CancelFunc
	done   chan error
}

func startDirector(t *testing.T, cfgPath string, local string, role string, mods ...func(*Options)) *director {
	t.Helper()
	dir := &director{k: newMemKernel(), vips: &fakeVIPs{}, sock: filepath.Join(t.TempDir(), "ctl.sock"), done: make(chan error, 1)}
	o := Options{
		ConfigPath: cfgPath, SocketPath: dir.sock, Role: role,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Kernel: dir.k, VIPs: dir.vips,
		LocalAddrs: func() ([]netip.Addr, error) { return []netip.Addr{netip.MustParseAddr(local)}, nil },
		Notify:     func(string) error { return nil },
	}
	for _, m := range mods {
		m(&o)
	}
	d, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	dir.d = d
	ctx, cancel := context.WithCancel(context.Background())
	dir.cancel = cancel
	go func() { dir.done <- d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-dir.done })
	return dir
}

func (dr *director) stop(t *testing.T) {
	dr.cancel()
	select {
	case err := <-dr.done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		dr.done <- nil // for the cleanup
	case <-time.After(testwait.Patience(t)):
		t.Fatal("daemon did not stop")
	}
}

func (dr *director) role() string { return dr.d.Status().Heartbeat.Role }

// waitUntil polls cond until it holds, however long that takes on this
// machine: only a hang fails it (testwait), with what and state().
func waitUntil(t *testing.T, what string, cond func() bool, state func() string) {
	t.Helper()
	testwait.Until(t, what, cond, state)
}

func contains(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// TestPairEndToEnd runs two daemons over loopback (127.0.0.1 and
// 127.0.0.2) with in-memory IPVS tables and fake floating addresses, and
// real health checks against real servers on 127.0.0.1.
func TestPairEndToEnd(t *testing.T) {
	rs1, rs2 := newRS(t), newRS(t)
	port := freeUDPPort(t)
	cfgPath := filepath.Join(t.TempDir(), "lvs.cf")
	write := func(serial int, sched string) {
		if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf(cfgTemplate, serial, port, sched, rs1.port, rs2.port)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(1, "rr")
	// Both sign their heartbeats: the key reaches the state machine.
	keyed := func(o *Options) { o.Keys = heartbeat.NewKeyring([]byte("pair end-to-end test key")) }
	a := startDirector(t, cfgPath, "127.0.0.1", "", keyed)
	b := startDirector(t, cfgPath, "127.0.0.2", "", keyed)
	state := func() string {
		return fmt.Sprintf("A %s %q vips=%v sync=%v; B %s %q vips=%v sync=%v", a.role(), a.k.rules(), a.vips.Held(), a.k.daemonStates(), b.role(), b.k.rules(), b.vips.Held(), b.k.daemonStates())
	}
	svc := "-t 192.168.50.10:8080"
	rs1Line := fmt.Sprintf("%s -r 127.0.0.1:%d w1", svc, rs1.port)
	rs2Line := fmt.Sprintf("%s -r 127.0.0.1:%d w1", svc, rs2.port)

	waitUntil(t, "one active director with both real servers", func() bool {
		act, sb := a, b
		if b.role() == "active" {
			act, sb = b, a
		}
		r := act.k.rules()
		return act.role() == "active" && sb.role() == "standby" && contains(r, rs1Line) && contains(r, rs2Line) &&
			len(act.vips.Held()) == 2 && len(sb.k.rules()) == 0
	}, state)
	act, sb := a, b
	if b.role() == "active" {
		act, sb = b, a
	}
	if got := act.k.daemonStates(); len(got) != 1 || got[0] != ops.DaemonMaster {
		t.Errorf("active's sync daemons %v, want master", got)
	}
	if got := sb.k.daemonStates(); len(got) != 1 || got[0] != ops.DaemonBackup {
		t.Errorf("standby's sync daemons %v, want backup", got)
	}

	// A real server stops: it leaves the active table within one check.
	rs2.stop()
	waitUntil(t, "rs2 removed", func() bool { return !contains(act.k.rules(), rs2Line) }, state)
	// The standby checks too.
	waitUntil(t, "standby sees rs2 down", func() bool {
		for _, v := range sb.d.Status().Virtuals {
			for _, s := range v.Servers {
				if s.Name == "rs2" {
					return s.State == "down"
				}
			}
		}
		return false
	}, state)
	rs2.start()
	started := time.Now()
	waitUntil(t, "rs2 back", func() bool { return contains(act.k.rules(), rs2Line) }, state)
	if took := time.Since(started); took < 600*time.Millisecond {
		t.Errorf("rs2 back after %v, before reentry", took)
	}

	// Status over the control socket.
	st, raw, err := queryStatus(context.Background(), act.sock)
	if err != nil {
		t.Fatal(err)
	}
	if st.Heartbeat.Role != "active" || st.Serial != 1 || !st.Heartbeat.Peer.Heard || !st.Heartbeat.Peer.Signed || len(st.HeartbeatKeys) != 1 || st.Heartbeat.Peer.DigestMatch == nil || !*st.Heartbeat.Peer.DigestMatch ||
		len(st.Virtuals) != 1 || len(st.Virtuals[0].Servers) != 2 || st.Virtuals[0].Servers[0].LastCheck == nil {
		t.Errorf("status: %s", raw)
	}
	if !strings.Contains(string(raw), `"state":"down"`) || !strings.Contains(string(raw), `"kind":"health"`) {
		t.Errorf("status lacks the health events: %s", raw)
	}
	if fi, err := os.Stat(act.sock); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("control socket mode: %v %v", fi.Mode(), err)
	}

	// A reload with lint errors is refused and changes nothing.
	good, _ := os.ReadFile(cfgPath)
	os.WriteFile(cfgPath, append(good, []byte("bogus_key = 1\n")...), 0o644)
	before := act.k.rules()
	if _, err := act.d.Reload(); err == nil {
		t.Fatal("reload of a file with lint errors succeeded")
	}
	if s := act.d.Status(); s.LastReloadError == "" || s.Serial != 1 || act.role() != "active" {
		t.Errorf("after refused reload: serial %d, error %q, role %s", s.Serial, s.LastReloadError, act.role())
	}
	if after := act.k.rules(); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Errorf("refused reload changed the table: %q → %q", before, after)
	}
	// A good reload applies the difference: the scheduler.
	write(2, "wlc")
	if _, err := act.d.Reload(); err != nil {
		t.Fatal(err)
	}
	if r := act.k.rules(); !contains(r, svc+" wlc") || !contains(r, rs1Line) || !contains(r, rs2Line) {
		t.Errorf("after reload: %q", r)
	}
	// The same bytes again: known unchanged before any parsing.
	before = act.k.rules()
	if res, err := act.d.Reload(); err != nil || !res.Unchanged || res.Edits != 0 || res.Serial != 2 {
		t.Errorf("reload of the same file: %+v, %v; want unchanged, 0 edits, serial 2", res, err)
	}
	if after := act.k.rules(); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Errorf("unchanged reload changed the table: %q → %q", before, after)
	}
	// The standby has not reloaded: the digests now differ.
	waitUntil(t, "digest mismatch seen", func() bool {
		p := sb.d.Status().Heartbeat.Peer
		return p.DigestMatch != nil && !*p.DigestMatch && p.Serial != nil && *p.Serial == 2
	}, state)
	if _, err := sb.d.Reload(); err != nil {
		t.Fatal(err)
	}

	// The active director stops: the other takes over.
	act.stop(t)
	if len(act.k.rules()) != 0 || len(act.vips.Held()) != 0 {
		t.Errorf("stopped director kept its table or addresses: %q %v", act.k.rules(), act.vips.Held())
	}
	waitUntil(t, "takeover", func() bool {
		r := sb.k.rules()
		return sb.role() == "active" && contains(r, svc+" wlc") && contains(r, rs1Line) && contains(r, rs2Line) && len(sb.vips.Held()) == 2
	}, state)
	if got := sb.k.daemonStates(); len(got) != 1 || got[0] != ops.DaemonMaster {
		t.Errorf("new active's sync daemons %v, want master", got)
	}
}

func TestLoadRefusesLintErrors(t *testing.T) {
	p := filepath.Join(t.TempDir(), "lvs.cf")
	os.WriteFile(p, []byte("primary = 10.0.0.1\nkeepalive=2\n"), 0o644)
	_, err := Load(p)
	if _, ok := err.(*LintError); !ok {
		t.Fatalf("err = %v, want a *LintError", err)
	}
}

// TestLonePrimary: without backup_active the primary sends no heartbeat
// and goes active once deadtime has passed (pulse: "partner dead").
func TestLonePrimary(t *testing.T) {
	a := startDirector(t, lonePrimaryConfig(t, newRS(t)), "127.0.0.1", "")
	start := time.Now()
	waitUntil(t, "lone primary active", func() bool { return a.role() == "active" && len(a.vips.Held()) == 2 }, func() string { return fmt.Sprint(a.d.Status()) })
	if took := time.Since(start); took < 500*time.Millisecond {
		t.Errorf("active after %v, before deadtime", took)
	}
	if p := a.d.Status().Heartbeat.Peer; p.Heard {
		t.Errorf("peer heard without a backup: %+v", p)
	}
}

// TestMonitorLinks: with monitor_links, the active director whose link
// fails gives up and the partner takes over; with the link back it stays
// standby (no fail-back).
func TestMonitorLinks(t *testing.T) {
	rs1, rs2 := newRS(t), newRS(t)
	cfgPath := filepath.Join(t.TempDir(), "lvs.cf")
	cfg := fmt.Sprintf(cfgTemplate, 1, freeUDPPort(t), "rr", rs1.port, rs2.port)
	cfg = strings.Replace(cfg, "syncdaemon = 1\n", "monitor_links = 1\n", 1)
	os.WriteFile(cfgPath, []byte(cfg), 0o644)
	var mu sync.Mutex
	linkUp := map[string]bool{"127.0.0.1": true, "127.0.0.2": true}
	links := func(o *Options) {
		o.LinkUp = func(a netip.Addr) bool { mu.Lock(); defer mu.Unlock(); return linkUp[a.String()] }
	}
	a := startDirector(t, cfgPath, "127.0.0.1", "", links)
	b := startDirector(t, cfgPath, "127.0.0.2", "", links)
	state := func() string { return fmt.Sprintf("A %+v; B %+v", a.d.Status().Heartbeat, b.d.Status().Heartbeat) }
	waitUntil(t, "one active", func() bool {
		return (a.role() == "active") != (b.role() == "active") && a.d.Status().Heartbeat.Peer.State != "" && b.d.Status().Heartbeat.Peer.State != ""
	}, state)
	act, sb, actAddr := a, b, "127.0.0.1"
	if b.role() == "active" {
		act, sb, actAddr = b, a, "127.0.0.2"
	}
	mu.Lock()
	linkUp[actAddr] = false
	mu.Unlock()
	waitUntil(t, "the other takes over", func() bool {
		return act.role() == "standby" && sb.role() == "active" && len(act.vips.Held()) == 0 && act.d.Status().Heartbeat.LinkFail
	}, state)
	mu.Lock()
	linkUp[actAddr] = true
	mu.Unlock()
	waitUntil(t, "link restored", func() bool { return !act.d.Status().Heartbeat.LinkFail }, state)
	time.Sleep(500 * time.Millisecond)
	if act.role() != "standby" || sb.role() != "active" {
		t.Errorf("after the link came back: %s", state())
	}
}

// TestKeyFileReload: the heartbeat key file is re-read on reload (key
// rollover without a restart); a key file others can read refuses the
// reload and keeps the running keys.
func TestKeyFileReload(t *testing.T) {
	rs1, rs2 := newRS(t), newRS(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "lvs.cf")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(cfgTemplate, 1, freeUDPPort(t), "rr", rs1.port, rs2.port)), 0o644)
	keyPath := filepath.Join(dir, "hb.key")
	oldKey, newKey := "old heartbeat key 0123456789", "new heartbeat key 0123456789"
	os.WriteFile(keyPath, []byte(oldKey+"\n"), 0o600)
	a := startDirector(t, cfgPath, "127.0.0.1", "", func(o *Options) { o.KeyFile = keyPath })
	id := func(k string) string { return heartbeat.NewKey([]byte(k)).ID.String() }
	waitUntil(t, "running", func() bool { return a.d.Status().Heartbeat.Role != "" }, func() string { return "" })
	if got := a.d.Status().HeartbeatKeys; len(got) != 1 || got[0] != id(oldKey) {
		t.Fatalf("keys %v, want the old key", got)
	}
	os.WriteFile(keyPath, []byte(newKey+"\n"+oldKey+"\n"), 0o600)
	if _, err := a.d.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := a.d.Status().HeartbeatKeys; len(got) != 2 || got[0] != id(newKey) || got[1] != id(oldKey) {
		t.Fatalf("keys after rollover %v, want new then old", got)
	}
	os.Chmod(keyPath, 0o644)
	if _, err := a.d.Reload(); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("reload with a readable key file: %v", err)
	}
	if got := a.d.Status().HeartbeatKeys; len(got) != 2 {
		t.Fatalf("refused reload changed the keys: %v", got)
	}
}

// TestStartRemovesStaleVIPs: a director killed while active left its
// floating addresses on the devices; started again next to a partner it
// removes them before its control socket answers, and before anything
// else touches the addresses. A lone primary (no backup_active) keeps
// them: it takes them over itself.
func TestStartRemovesStaleVIPs(t *testing.T) {
	rs1, rs2 := newRS(t), newRS(t)
	cfgPath := filepath.Join(t.TempDir(), "lvs.cf")
	cfg := fmt.Sprintf(cfgTemplate, 1, freeUDPPort(t), "rr", rs1.port, rs2.port)
	os.WriteFile(cfgPath, []byte(cfg), 0o644)
	l, err := Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	configured := vip.FromConfig(l.Cfg)
	other := vip.FromConfig(l.Cfg)[0]
	other.Addr = netip.MustParseAddr("192.168.50.99")
	fv := &fakeVIPs{stale: append([]vip.VIP{other}, configured...)}
	a := startDirector(t, cfgPath, "127.0.0.1", "", func(o *Options) { o.VIPs = fv })
	waitUntil(t, "control socket answers", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, _, err := queryStatus(ctx, a.sock)
		return err == nil
	}, func() string { return "" })
	fv.mu.Lock()
	stale, history := fv.stale, fv.history
	fv.mu.Unlock()
	if len(stale) != 1 || stale[0] != other {
		t.Errorf("after start, on the devices %+v; want only %s (not configured)", stale, other)
	}
	if len(history) == 0 || history[0] != "remove-stale" {
		t.Errorf("address operations %q, want remove-stale first", history)
	}
	if !contains(eventMessages(a.d.Status()), "stale floating address removed at start: 192.168.50.10") {
		t.Errorf("no event for the removed VIP: %q", eventMessages(a.d.Status()))
	}

	lone := strings.Replace(cfg, "backup_active = 1", "backup_active = 0", 1)
	lonePath := filepath.Join(t.TempDir(), "lvs.cf")
	os.WriteFile(lonePath, []byte(lone), 0o644)
	lv := &fakeVIPs{stale: configured}
	startDirector(t, lonePath, "127.0.0.1", "", func(o *Options) { o.VIPs = lv })
	time.Sleep(200 * time.Millisecond)
	lv.mu.Lock()
	defer lv.mu.Unlock()
	if len(lv.stale) != len(configured) || slices.Contains(lv.history, "remove-stale") {
		t.Errorf("lone primary removed its addresses: left %+v, history %q", lv.stale, lv.history)
	}
}

func eventMessages(s control.Status) []string {
	var out []string
	for _, e := range s.Events {
		out = append(out, e.Message)
	}
	return out
}

// slowTable counts applies, each taking a while, as a 10,000-service
// table's does.
type slowTable struct {
	mu      sync.Mutex
	applies int
}

func (s *slowTable) Sync(context.Context, ops.Table, ops.Timeouts, bool) (SyncResult, error) {
	return SyncResult{}, s.apply()
}
func (s *slowTable) Update(context.Context, []ops.VirtualService) ([]ops.Change, error) {
	return nil, s.apply()
}
func (s *slowTable) apply() error {
	time.Sleep(20 * time.Millisecond)
	s.mu.Lock()
	s.applies++
	s.mu.Unlock()
	return nil
}
func (s *slowTable) Clear(context.Context) error { return nil }
func (s *slowTable) count() int                  { s.mu.Lock(); defer s.mu.Unlock(); return s.applies }

// TestHealthBurstCoalesces: a burst of health transitions costs one or two
// table applies, not one each.
func TestHealthBurstCoalesces(t *testing.T) {
	rs1 := newRS(t)
	cfgPath := filepath.Join(t.TempDir(), "lvs.cf")
	rs2 := newRS(t)
	cfg := fmt.Sprintf(cfgTemplate, 1, freeUDPPort(t), "rr", rs1.port, rs2.port)
	cfg = strings.Replace(cfg, "backup_active = 1", "backup_active = 0", 1)
	os.WriteFile(cfgPath, []byte(cfg), 0o644)
	tab := &slowTable{}
	a := startDirector(t, cfgPath, "127.0.0.1", "", func(o *Options) { o.Table = tab })
	// Counted from when the activation's own work is done, whatever the
	// machine's speed: both servers' first checks reported and every
	// transition taken by an apply (an apply under way then is the one the
	// bound's margin allows for).
	waitUntil(t, "lone primary active, both servers up and applied", func() bool {
		st := a.d.Status()
		if st.Heartbeat.Role != "active" || len(st.Virtuals) != 1 {
			return false
		}
		for _, s := range st.Virtuals[0].Servers {
			if s.State != control.Up {
				return false
			}
		}
		a.d.mu.Lock()
		defer a.d.mu.Unlock()
		return len(a.d.dirty) == 0 && !a.d.dirtyAll && len(a.d.applyNow) == 0
	}, func() string { return fmt.Sprint(a.d.Status()) })
	before := tab.count()
	for i := 0; i < 200; i++ {
		a.d.onHealth(health.Event{Virtual: "web", Server: "rs1", State: health.Up, At: time.Now()})
	}
	waitUntil(t, "an apply after the burst", func() bool { return tab.count() > before }, func() string { return "" })
	time.Sleep(200 * time.Millisecond)
	if n := tab.count() - before; n > 3 {
		t.Errorf("200 health transitions cost %d applies, want at most 3", n)
	}
}

// lonePrimaryConfig writes cfgTemplate without a backup, with rs as its
// only real server, edited by edit (old, new pairs), and returns its path.
func lonePrimaryConfig(t *testing.T, r *rs, edit ...string) string {
	t.Helper()
	cfg := fmt.Sprintf(cfgTemplate, 1, freeUDPPort(t), "rr", r.port, r.port+0)
	cfg = strings.Replace(cfg, "backup_active = 1", "backup_active = 0", 1)
	cfg = strings.Replace(cfg, "     server rs2 {\n         address = 127.0.0.1\n         port = "+fmt.Sprint(r.port)+"\n         active = 1\n     }\n", "", 1)
	for i := 0; i+1 < len(edit); i += 2 {
		cfg = strings.Replace(cfg, edit[i], edit[i+1], 1)
	}
	p := filepath.Join(t.TempDir(), "lvs.cf")
	if err := os.WriteFile(p, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
