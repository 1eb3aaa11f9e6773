package daemon

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/daemon/health"
	"github.com/lvsadm/lvsadm/lvscf"
	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/ipvsadm"
)

func decode(t testing.TB, src string) *lvscf.Config {
	t.Helper()
	cfg, diags := lvscf.Decode(lvscf.Parse("t.cf", []byte(src)))
	if lvscf.HasErrors(diags) {
		t.Fatal(lvscf.FormatDiagnostics(diags))
	}
	return cfg
}

const tableCfg = `primary = 10.0.0.1
network = direct
virtual web {
     active = 1
     address = 192.168.0.10 eth0:1
     port = 80
     scheduler = wrr
     quiesce_server = 1
     server up {
         address = 10.0.1.1
         weight = 5
         active = 1
     }
     server wasup {
         address = 10.0.1.2
         weight = 5
         active = 1
     }
     server neverup {
         address = 10.0.1.3
         active = 1
     }
     server unchecked {
         address = 10.0.1.4
         active = 1
     }
}
virtual mail {
     active = 1
     address = 192.168.0.10 eth0:1
     port = 25
     sorry_server = 10.0.9.9
     server m {
         address = 10.0.1.5
         active = 1
     }
     server gone {
         address = 10.0.1.6
         active = 1
     }
}
`

// applyFull builds cfg's table with health h and syncs it, reading the
// kernel, as taking over does; it returns the edits as ipvsadm lines.
func applyFull(t testing.TB, tab *kernelTable, cfg *lvscf.Config, h map[string]health.ServerStatus) []string {
	t.Helper()
	dt, err := newDesiredTable(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := dt.all(inputsOf(h, time.Now()))
	res, err := tab.Sync(context.Background(), want, dt.timeouts, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Repairs) != 0 {
		t.Fatalf("repairs %q where nothing was changed by hand", editLines(res.Repairs))
	}
	return editLines(res.Edits)
}

func inputsOf(h map[string]health.ServerStatus, now time.Time) *tableInputs {
	return &tableInputs{now: now, health: func(k string) (health.ServerStatus, bool) { s, ok := h[k]; return s, ok }}
}

func editLines(edits []ops.Change) []string {
	out := []string{}
	for _, c := range edits {
		out = append(out, ipvsadm.FormatChange(c))
	}
	return out
}

func TestTableApply(t *testing.T) {
	cfg := decode(t, tableCfg)
	h := map[string]health.ServerStatus{
		"web/up":      {State: health.Up, EverUp: true},
		"web/wasup":   {State: health.Down, EverUp: true},
		"web/neverup": {State: health.Down},
		"mail/m":      {State: health.Up, EverUp: true},
		"mail/gone":   {State: health.Down, EverUp: true}, // no quiesce in mail: removed
	}
	k := newMemKernel()
	// A service someone added by hand must survive.
	k.AddService(context.Background(), ops.Service{ServiceKey: ops.ServiceKey{Family: ops.AFInet, Protocol: ops.ProtoTCP, Address: []byte{10, 9, 9, 9}, Port: 9}, Scheduler: "rr"})
	tab := newKernelTable(k)
	ctx := context.Background()
	applyFull(t, tab, cfg, h)
	want := []string{
		"-t 10.9.9.9:9 rr",
		"-t 192.168.0.10:25 -r 10.0.1.5:25 w1",
		"-t 192.168.0.10:25 wlc",
		"-t 192.168.0.10:80 -r 10.0.1.1:80 w5",
		"-t 192.168.0.10:80 -r 10.0.1.2:80 w0",
		"-t 192.168.0.10:80 wrr",
	}
	if got := k.rules(); !reflect.DeepEqual(got, want) {
		t.Fatalf("table\n got %q\nwant %q", got, want)
	}
	// Every mail server down: the sorry server steps in, and leaves when
	// one is back; each is one service's update, planned against the
	// mirror.
	dt, _ := newDesiredTable(cfg)
	update := func() []string {
		t.Helper()
		svc, _ := dt.service(dt.group["mail"], inputsOf(h, time.Now()))
		edits, err := tab.Update(ctx, []ops.VirtualService{svc})
		if err != nil {
			t.Fatal(err)
		}
		return editLines(edits)
	}
	h["mail/m"] = health.ServerStatus{State: health.Down, EverUp: true}
	if edits := update(); !reflect.DeepEqual(edits, []string{"-d -t 192.168.0.10:25 -r 10.0.1.5:25", "-a -t 192.168.0.10:25 -r 10.0.9.9:25 -g -w 1"}) {
		t.Errorf("server down, sorry server in: edits %q", edits)
	}
	if got := k.rules(); !reflect.DeepEqual(got[:2], []string{"-t 10.9.9.9:9 rr", "-t 192.168.0.10:25 -r 10.0.9.9:25 w1"}) || len(got) != 6 {
		t.Fatalf("sorry server: %q", got)
	}
	h["mail/m"] = health.ServerStatus{State: health.Up, EverUp: true}
	if edits := update(); !slices.Contains(edits, "-d -t 192.168.0.10:25 -r 10.0.9.9:25") {
		t.Errorf("edits %q do not name the sorry server's removal", edits)
	}
	// Nothing changed: nothing applied, nothing reported, by either path.
	if edits := update(); len(edits) != 0 {
		t.Errorf("second update of the same service: edits %q", edits)
	}
	if edits := applyFull(t, tab, cfg, h); len(edits) != 0 {
		t.Errorf("second apply of the same table: edits %q", edits)
	}
	if got := k.rules(); !reflect.DeepEqual(got, want) {
		t.Fatalf("sorry server not removed:\n got %q\nwant %q", got, want)
	}
	// The mail virtual disappears from the configuration: its service goes,
	// the hand-made one stays.
	cfg2 := decode(t, tableCfg[:strings.Index(tableCfg, "virtual mail")])
	h["web/wasup"] = health.ServerStatus{State: health.Up, EverUp: true}
	applyFull(t, tab, cfg2, h)
	want = []string{
		"-t 10.9.9.9:9 rr",
		"-t 192.168.0.10:80 -r 10.0.1.1:80 w5",
		"-t 192.168.0.10:80 -r 10.0.1.2:80 w5",
		"-t 192.168.0.10:80 wrr",
	}
	if got := k.rules(); !reflect.DeepEqual(got, want) {
		t.Fatalf("after reload\n got %q\nwant %q", got, want)
	}
	if err := tab.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if got := k.rules(); !reflect.DeepEqual(got, []string{"-t 10.9.9.9:9 rr"}) {
		t.Fatalf("after clear %q", got)
	}
}

// TestTableRepairsHandEdits: a sync against the mirror trusts it (no
// kernel read), a sync that reads repairs what was changed by hand, and
// an update that meets a hand edit fails (asking for that read) rather
// than writing over a table it does not know.
func TestTableRepairsHandEdits(t *testing.T) {
	cfg := decode(t, tableCfg)
	h := map[string]health.ServerStatus{"web/up": {State: health.Up, EverUp: true}, "mail/m": {State: health.Up, EverUp: true}}
	k := newMemKernel()
	tab := newKernelTable(k)
	ctx := context.Background()
	applyFull(t, tab, cfg, h)
	key := ops.ServiceKey{Family: ops.AFInet, Protocol: ops.ProtoTCP, Address: []byte{192, 168, 0, 10}, Port: 80}
	// By hand: the real server drained ("lvsadm -e ... -w 0").
	k.EditDestination(ctx, key, ops.Destination{Family: ops.AFInet, Address: []byte{10, 0, 1, 1}, Port: 80, ConnFlags: ops.FwdRoute})
	dt, _ := newDesiredTable(cfg)
	want, _ := dt.all(inputsOf(h, time.Now()))
	if res, err := tab.Sync(ctx, want, dt.timeouts, false); err != nil || len(res.Edits) != 0 {
		t.Fatalf("sync against the mirror: edits %q, err %v (want none: nothing changed since the daemon wrote)", editLines(res.Edits), err)
	}
	// A resync that also carries a health change: the hand edit is a
	// repair, the health change is not.
	h["web/wasup"] = health.ServerStatus{State: health.Up, EverUp: true}
	want, _ = dt.all(inputsOf(h, time.Now()))
	res, err := tab.Sync(ctx, want, dt.timeouts, true)
	if err != nil || !reflect.DeepEqual(editLines(res.Edits), []string{"-e -t 192.168.0.10:80 -r 10.0.1.1:80 -g -w 5", "-a -t 192.168.0.10:80 -r 10.0.1.2:80 -g -w 5"}) {
		t.Fatalf("resync: edits %q, err %v", editLines(res.Edits), err)
	}
	if got := editLines(res.Repairs); !reflect.DeepEqual(got, []string{"-e -t 192.168.0.10:80 -r 10.0.1.1:80 -g -w 5"}) {
		t.Fatalf("repairs %q, want the hand edit's alone", got)
	}
	if got := k.rules(); !slices.Contains(got, "-t 192.168.0.10:80 -r 10.0.1.1:80 w5") || !slices.Contains(got, "-t 192.168.0.10:80 -r 10.0.1.2:80 w5") {
		t.Fatalf("after the resync %q", got)
	}
	// By hand: the service deleted. The next update of it fails and marks
	// the mirror stale, so the next sync reads even when not asked to.
	k.DelService(ctx, key)
	h["web/wasup"] = health.ServerStatus{State: health.Down, EverUp: true}
	svc, _ := dt.service(dt.group["web"], inputsOf(h, time.Now()))
	if _, err := tab.Update(ctx, []ops.VirtualService{svc}); err == nil {
		t.Fatal("update of a service deleted by hand succeeded")
	}
	want, _ = dt.all(inputsOf(h, time.Now()))
	if _, err := tab.Sync(ctx, want, dt.timeouts, false); err != nil {
		t.Fatal(err)
	}
	if got := k.rules(); !slices.Contains(got, "-t 192.168.0.10:80 -r 10.0.1.2:80 w0") || !slices.Contains(got, "-t 192.168.0.10:80 wrr") {
		t.Fatalf("service not restored after a stale mirror: %q", got)
	}
}

// TestTableUpdatesEqualFullBuild is the property the incremental path
// rests on: from any table, applying one service's update per changed
// virtual leaves the kernel exactly where a full build and sync would.
func TestTableUpdatesEqualFullBuild(t *testing.T) {
	cfg := decode(t, tableCfg)
	keys := []string{"web/up", "web/wasup", "web/neverup", "web/unchecked", "mail/m", "mail/gone"}
	states := []health.ServerStatus{
		{State: health.Up, EverUp: true}, {State: health.Down, EverUp: true}, {State: health.Down}, {State: health.Unknown},
	}
	r := rand.New(rand.NewPCG(1, 2))
	dt, _ := newDesiredTable(cfg)
	for round := 0; round < 200; round++ {
		h := map[string]health.ServerStatus{}
		for _, k := range keys {
			h[k] = states[r.IntN(len(states))]
		}
		inc := newMemKernel()
		tab := newKernelTable(inc)
		applyFull(t, tab, cfg, h)
		for _, k := range keys {
			if r.IntN(2) == 0 {
				h[k] = states[r.IntN(len(states))]
			}
		}
		var svcs []ops.VirtualService
		for _, v := range []string{"web", "mail"} {
			s, _ := dt.service(dt.group[v], inputsOf(h, time.Now()))
			svcs = append(svcs, s)
		}
		if _, err := tab.Update(context.Background(), svcs); err != nil {
			t.Fatal(err)
		}
		full := newMemKernel()
		applyFull(t, newKernelTable(full), cfg, h)
		if a, b := inc.rules(), full.rules(); !reflect.DeepEqual(a, b) {
			t.Fatalf("round %d: updates give\n%q\na full build gives\n%q", round, a, b)
		}
	}
}

func TestDigestIgnoresSerialAndLayout(t *testing.T) {
	a := decode(t, "serial_no = 1\nprimary = 10.0.0.1\nkeepalive = 2\n")
	b := decode(t, "# comment\nserial_no = 7\nprimary   =   10.0.0.1\n")
	c := decode(t, "serial_no = 1\nprimary = 10.0.0.2\n")
	if Digest(a) != Digest(b) {
		t.Error("digest depends on serial_no, comments or layout, or on spelling out a default")
	}
	if Digest(a) == Digest(c) {
		t.Error("digest misses a changed primary")
	}
}

func TestTableSlowStart(t *testing.T) {
	cfg := decode(t, tableCfg)
	now := time.Now()
	h := map[string]health.ServerStatus{
		"web/up":    {State: health.Up, EverUp: true, LastTransition: now.Add(-25 * time.Second)},
		"web/wasup": {State: health.Up, EverUp: true, LastTransition: now.Add(-time.Hour)},
	}
	got := port80Weights(t, cfg, h, now)
	if !reflect.DeepEqual(got, []int32{2, 5}) {
		t.Fatalf("weights %v, want [2 5]: weight 5 up for 25 s is at 1<<1, up for an hour at 5", got)
	}
}

// TestTableLoadWeight: after the slow start, the weight load_monitor gave a
// server is the one the table asks for; during the slow start the slow
// start's.
func TestTableLoadWeight(t *testing.T) {
	cfg := decode(t, tableCfg)
	now := time.Now()
	h := map[string]health.ServerStatus{
		"web/up":    {State: health.Up, EverUp: true, LastTransition: now.Add(-25 * time.Second), LoadWeight: 9},
		"web/wasup": {State: health.Up, EverUp: true, LastTransition: now.Add(-time.Hour), LoadWeight: 17},
	}
	got := port80Weights(t, cfg, h, now)
	if !reflect.DeepEqual(got, []int32{2, 17}) {
		t.Fatalf("weights %v, want [2 17]: the slow start's 2, then load_monitor's 17", got)
	}
}

// port80Weights is the weights the desired table gives the port-80 virtual's servers.
func port80Weights(t *testing.T, cfg *lvscf.Config, h map[string]health.ServerStatus, now time.Time) []int32 {
	t.Helper()
	dt, err := newDesiredTable(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tab, _ := dt.all(inputsOf(h, now))
	var got []int32
	for _, s := range tab {
		if s.Port == 80 {
			for _, d := range s.Destinations {
				got = append(got, d.Weight)
			}
		}
	}
	return got
}

// farmTable is a farm of n virtual services with one real server each,
// every server up, applied to an in-memory kernel.
func farmTable(b testing.TB, n int) (*kernelTable, *desiredTable, map[string]health.ServerStatus) {
	var sb strings.Builder
	sb.WriteString("serial_no = 1\nprimary = 10.21.0.1\nnetwork = nat\nnat_router = 10.21.0.254 eth1:1\n")
	h := map[string]health.ServerStatus{}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, "virtual v%d {\n active = 1\n address = 10.30.0.%d dummy0:%d\n port = %d\n scheduler = wlc\n server s {\n address = 10.20.%d.%d\n port = 8080\n active = 1\n }\n}\n",
			i, i%100+1, i%100+1, 1000+i/100, i/250, i%250+1)
		h[fmt.Sprintf("v%d/s", i)] = health.ServerStatus{State: health.Up, EverUp: true}
	}
	cfg := decode(b, sb.String())
	tab := newKernelTable(newMemKernel())
	applyFull(b, tab, cfg, h)
	dt, err := newDesiredTable(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return tab, dt, h
}

// BenchmarkTableSync: a whole apply with nothing to change, against the
// mirror (a reload that changes nothing), of a 10,000-service table.
func BenchmarkTableSync(b *testing.B) {
	tab, dt, h := farmTable(b, 10000)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		want, _ := dt.all(inputsOf(h, time.Now()))
		if res, err := tab.Sync(ctx, want, dt.timeouts, false); err != nil || len(res.Edits) != 0 {
			b.Fatalf("edits %d, err %v", len(res.Edits), err)
		}
	}
}

// BenchmarkTableHealthTransition: one real server of a 10,000-service
// table goes down and comes back: one service built, two kernel edits.
func BenchmarkTableHealthTransition(b *testing.B) {
	tab, dt, h := farmTable(b, 10000)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st := health.ServerStatus{State: health.Down, EverUp: true}
		if i%2 == 1 {
			st.State = health.Up
		}
		h["v4242/s"] = st
		svc, _ := dt.service(dt.group["v4242"], inputsOf(h, time.Now()))
		if edits, err := tab.Update(ctx, []ops.VirtualService{svc}); err != nil || len(edits) != 1 {
			b.Fatalf("edits %d, err %v", len(edits), err)
		}
	}
}

// TestDigestIsStable pins the digest of the lab's pair.cf: directors
// compare digests over the wire (heartbeat trailer), so a change of how it
// is computed would show every mixed-version pair as running different
// files. The value is the one lvsadm has sent since the digest exists
// (the lab's logs at d77af8f print c2823834644aa9f7).
func TestDigestIsStable(t *testing.T) {
	l, err := Load("../testdata/lab/pair.cf")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := digestString(l.Digest), "c2823834644aa9f74b3055cbb318a30e3cc56d9f29f46627743d2af35ba92c68"; got != want {
		t.Errorf("digest of pair.cf %s, want %s", got, want)
	}
}

// BenchmarkLoad: what a reload of a 10,000-server file costs before any
// kernel edit (read, lint, decode, digest).
func BenchmarkLoad(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("serial_no = 1\nprimary = 10.21.0.1\nnetwork = nat\nnat_router = 10.21.0.254 eth1:1\n")
	for v := 0; v < 2000; v++ {
		fmt.Fprintf(&sb, "virtual v%d {\n     active = 1\n     address = 10.30.%d.%d dummy0:%d\n     port = 1000\n     timeout = 6\n", v, v/250, v%250+1, v%100+1)
		for s := 0; s < 5; s++ {
			i := v*5 + s
			fmt.Fprintf(&sb, "     server s%d {\n         address = 10.100.%d.%d\n         port = 8080\n         active = 1\n     }\n", s, i/250, i%250+1)
		}
		sb.WriteString("}\n")
	}
	path := filepath.Join(b.TempDir(), "lvs.cf")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Load(path); err != nil {
			b.Fatal(err)
		}
	}
}

// TestChangedVirtuals: a reload is narrowed to the virtual servers whose
// lines changed, and only when nothing outside them did and no virtual
// server came, went or moved.
func TestChangedVirtuals(t *testing.T) {
	// One loader, as the daemon's: the blocks a version shares with the
	// one loaded before it are taken from it.
	ld := lvscf.NewLoader(lvscf.LintOptions{})
	load := func(src string) *Loaded {
		t.Helper()
		l, err := loadSource(ld, "t.cf", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	base := load(tableCfg)
	for _, tc := range []struct {
		name     string
		old, new string
		changed  []int
		ok       bool
	}{
		{"same", "", "", nil, true},
		{"comment", "\nvirtual mail", "\n# a comment\nvirtual mail", nil, true},
		{"serial_no", "primary = 10.0.0.1", "serial_no = 7\nprimary = 10.0.0.1", nil, true},
		{"weight", "10.0.1.5\n", "10.0.1.5\n         weight = 3\n", []int{1}, true},
		{"server of the first", "server neverup", "server neverup2", []int{0}, true},
		{"scheduler", "scheduler = wrr", "scheduler = rr", []int{0}, true},
		{"sorry_server", "10.0.9.9", "10.0.9.8", []int{1}, true},
		{"global", "network = direct", "network = tunnel", nil, false},
		{"renamed", "virtual mail", "virtual post", nil, false},
		{"added", "virtual mail {", "virtual more {\n active = 1\n address = 192.168.0.11 eth0:2\n server m {\n address = 10.0.1.9\n active = 1\n }\n}\nvirtual mail {", nil, false},
	} {
		l := load(strings.Replace(tableCfg, tc.old, tc.new, 1))
		changed, ok := changedVirtuals(base, l)
		if ok != tc.ok || !slices.Equal(changed, tc.changed) {
			t.Errorf("%s: changed %v, %v; want %v, %v", tc.name, changed, ok, tc.changed, tc.ok)
		}
	}
}

// TestSameVirtualFields: sameVirtual names every field of lvscf.Virtual
// (a reload narrowed with a field left out would miss that field's
// changes). A new field goes into sameVirtual, then into this list.
func TestSameVirtualFields(t *testing.T) {
	known := []string{"ServiceCommon", "SorryServer", "Fwmark", "Scheduler", "Persistent", "PMask", "UseRegex",
		"LoadMonitor", "QuiesceServer", "FwmarkMatch", "SchedFlags", "Announce", "Servers"}
	typ := reflect.TypeFor[lvscf.Virtual]()
	var got []string
	for i := 0; i < typ.NumField(); i++ {
		got = append(got, typ.Field(i).Name)
	}
	if !slices.Equal(got, known) {
		t.Errorf("lvscf.Virtual's fields are %v; sameVirtual compares %v", got, known)
	}
	a := lvscf.Virtual{FwmarkMatch: []lvscf.FwmarkMatch{{Ports: []lvscf.PortRange{{Lo: 80, Hi: 80}}}}}
	b := a
	b.FwmarkMatch = []lvscf.FwmarkMatch{{Ports: []lvscf.PortRange{{Lo: 80, Hi: 81}}}}
	if !sameVirtual(&a, &a) || sameVirtual(&a, &b) {
		t.Error("sameVirtual does not compare fwmark_match's ports")
	}
}
