package daemon

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/daemon/health"
	"github.com/lvsadm/lvsadm/daemon/heartbeat"
	"github.com/lvsadm/lvsadm/lvscf"
)

// jsonKeys are the top-level keys of v's JSON encoding.
func jsonKeys(t *testing.T, v any) []string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestStatusWire: what the daemon's own state holds reaches the control
// types whole. Every JSON key of health.ServerStatus and heartbeat.Status
// (all fields set) is a key of the wire type, so a field added to the
// daemon's types without the wire's fails here; and the wire status
// survives its JSON encoding unchanged (what lvsadm status and the TUI
// decode is what the daemon built).
func TestStatusWire(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	serial, match := int32(5), true
	hs := health.ServerStatus{Virtual: "web", Server: "rs1", Address: netip.MustParseAddr("10.0.1.1"), State: health.Down, EverUp: true,
		LastCheck:      &health.Result{OK: false, Reason: "refused", Answer: "no", Latency: time.Millisecond, At: at},
		LastTransition: at, Checks: 9, Failures: 2, LoadWeight: 4, Load: &health.LoadReading{Average: 0.5, Error: "e", At: at}}
	hb := heartbeat.Status{HeartbeatState: control.HeartbeatState{Role: "active", Identity: "primary", Rejected: 3, LastReject: "x", ChildFail: true, LinkFail: true, PrivateLink: true,
		Peer: heartbeat.PeerStatus{Heard: true, LastHeard: at, From: "10.0.0.2", Link: "private", LastHeardPublic: at, LastHeardPrivate: at,
			State: "running", Lvsadm: true, Signed: true, Serial: &serial, Digest: "ab", DigestMatch: &match}}}
	v := &lvscf.Virtual{ServiceCommon: lvscf.ServiceCommon{Name: "web", Active: true, Port: 80}, QuiesceServer: true}
	sv := &lvscf.Server{Name: "rs1", Active: true, Weight: 3}
	ss := serverStatus(v, sv, hs, quiescedServer(v, sv, hs))
	ss.Override = &control.Override{Kind: control.Weight, Weight: 2, Since: at}
	wire := control.Status{PID: 1, Config: "/c", Serial: 2, Digest: "cd", LoadedAt: at, LastReloadError: "r", TableError: "t", Since: at,
		Heartbeat: heartbeatStatus(hb), HeartbeatKeys: []string{"k"}, VIPs: []string{"v"},
		Virtuals: []control.VirtualStatus{{Name: "web", Active: true, Address: "10.0.0.1", Port: 80, Protocol: "tcp", Fwmark: 1,
			Servers: []control.ServerStatus{ss}, Counts: &control.Counts{Servers: 1, Down: 1, Quiesced: 1, Override: 1}}},
		Events: []control.Event{{At: at, Kind: "health", Message: "m", Server: "web/rs1", State: "down", Reason: "r", Answer: "a"}},
		Filter: &control.Filter{State: "down"}}

	if !ss.Quiesced || ss.State != control.Down || ss.LastCheck == nil || ss.LastCheck.Reason != "refused" || ss.Load == nil || ss.Load.Average != 0.5 {
		t.Errorf("converted server %+v", ss)
	}
	for _, c := range []struct {
		name       string
		from, wire any
	}{
		{"server", hs, ss},
		{"heartbeat", hb, wire.Heartbeat},
		{"peer", hb.Peer, wire.Heartbeat.Peer},
		{"check", *hs.LastCheck, *ss.LastCheck},
	} {
		have := jsonKeys(t, c.wire)
		for _, k := range jsonKeys(t, c.from) {
			if !slices.Contains(have, k) {
				t.Errorf("%s: the daemon's JSON key %q is not on the wire (%q)", c.name, k, have)
			}
		}
	}

	b, err := json.Marshal(wire)
	if err != nil {
		t.Fatal(err)
	}
	var back control.Status
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, wire) {
		t.Errorf("the round trip changed the status:\n%+v\n%+v", back, wire)
	}
}

// BenchmarkStatus builds and encodes the control socket's answer at
// 10,000 real servers (2,000 virtuals of 5): whole; as lvsadm status's
// default summary when no server has been checked yet (its worst case:
// every one is listed); and for one virtual.
func BenchmarkStatus(b *testing.B) {
	var cf strings.Builder
	cf.WriteString("serial_no = 1\nprimary = 10.0.0.1\nservice = lvs\nnetwork = direct\n")
	for v := range 2000 {
		fmt.Fprintf(&cf, "virtual v%d {\n active = 1\n address = 10.1.%d.%d eth0:1\n port = 80\n", v, v/250, v%250+1)
		for s := range 5 {
			fmt.Fprintf(&cf, " server s%d {\n  address = 10.2.%d.%d\n  active = 1\n }\n", s, v/50, (v%50)*5+s+1)
		}
		cf.WriteString("}\n")
	}
	path := filepath.Join(b.TempDir(), "lvs.cf")
	if err := os.WriteFile(path, []byte(cf.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	d, err := New(Options{ConfigPath: path, VIPs: &fakeVIPs{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		LocalAddrs: func() ([]netip.Addr, error) { return []netip.Addr{netip.MustParseAddr("10.0.0.1")}, nil }})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		f    control.Filter
	}{{"whole", control.Filter{}}, {"summary-all-unknown", control.Filter{Summary: true}}, {"one-virtual", control.Filter{Virtual: "v1999"}}} {
		b.Run(c.name, func(b *testing.B) {
			var n int
			for b.Loop() {
				st, err := d.status(c.f)
				if err != nil {
					b.Fatal(err)
				}
				var w countWriter
				if err := control.EncodeStatus(&w, st); err != nil { // the daemon's answer
					b.Fatal(err)
				}
				n = int(w)
			}
			b.ReportMetric(float64(n), "bytes/answer")
		})
	}
}

type countWriter int

func (w *countWriter) Write(p []byte) (int, error) { *w += countWriter(len(p)); return len(p), nil }
