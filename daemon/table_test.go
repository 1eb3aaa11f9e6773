package daemon

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/daemon/health"
	"github.com/lvsadm/lvsadm/lvscf"
	"github.com/lvsadm/lvsadm/ops"
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
	if _, err := tab.Apply(ctx, cfg, h); err != nil {
		t.Fatal(err)
	}
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
	// one is back.
	h["mail/m"] = health.ServerStatus{State: health.Down, EverUp: true}
	if _, err := tab.Apply(ctx, cfg, h); err != nil {
		t.Fatal(err)
	}
	if got := k.rules(); !reflect.DeepEqual(got[:2], []string{"-t 10.9.9.9:9 rr", "-t 192.168.0.10:25 -r 10.0.9.9:25 w1"}) || len(got) != 6 {
		t.Fatalf("sorry server: %q", got)
	}
	h["mail/m"] = health.ServerStatus{State: health.Up, EverUp: true}
	edits, err := tab.Apply(ctx, cfg, h)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(edits, "-d -t 192.168.0.10:25 -r 10.0.9.9:25") {
		t.Errorf("edits %q do not name the sorry server's removal", edits)
	}
	// Nothing changed: nothing applied, nothing reported.
	if edits, err := tab.Apply(ctx, cfg, h); err != nil || len(edits) != 0 {
		t.Errorf("second apply of the same table: edits %q, err %v", edits, err)
	}
	if got := k.rules(); !reflect.DeepEqual(got, want) {
		t.Fatalf("sorry server not removed:\n got %q\nwant %q", got, want)
	}
	// The mail virtual disappears from the configuration: its service goes,
	// the hand-made one stays.
	cfg2 := decode(t, tableCfg[:strings.Index(tableCfg, "virtual mail")])
	h["web/wasup"] = health.ServerStatus{State: health.Up, EverUp: true}
	if _, err := tab.Apply(ctx, cfg2, h); err != nil {
		t.Fatal(err)
	}
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

// port80Weights is the weights desired gives the port-80 virtual's servers.
func port80Weights(t *testing.T, cfg *lvscf.Config, h map[string]health.ServerStatus, now time.Time) []int32 {
	t.Helper()
	tab, err := desired(cfg, h, nil, now)
	if err != nil {
		t.Fatal(err)
	}
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

// BenchmarkTableApply: one apply with nothing to change (the periodic
// re-apply) of a 10,000-service table, one real server each.
func BenchmarkTableApply(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("serial_no = 1\nprimary = 10.21.0.1\nnetwork = nat\nnat_router = 10.21.0.254 eth1:1\n")
	h := map[string]health.ServerStatus{}
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&sb, "virtual v%d {\n active = 1\n address = 10.30.0.%d dummy0:%d\n port = %d\n scheduler = wlc\n server s {\n address = 10.20.%d.%d\n port = 8080\n active = 1\n }\n}\n",
			i, i%100+1, i%100+1, 1000+i/100, i/250, i%250+1)
		h[fmt.Sprintf("v%d/s", i)] = health.ServerStatus{State: health.Up, EverUp: true}
	}
	cfg := decode(b, sb.String())
	tab := newKernelTable(newMemKernel())
	ctx := context.Background()
	if _, err := tab.Apply(ctx, cfg, h); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if edits, err := tab.Apply(ctx, cfg, h); err != nil || len(edits) != 0 {
			b.Fatalf("edits %d, err %v", len(edits), err)
		}
	}
}
