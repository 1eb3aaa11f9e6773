package cmd

import (
	"encoding/json"
	"flag"
	"github.com/lvsadm/lvsadm/daemon/control/controltest"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/ops/ipvsadm"
	"github.com/lvsadm/lvsadm/ops/opstest"
)

// update rewrites the golden files: go test ./cmd -run Golden -update.
// Read the diff before committing it: a golden is the stable interface
// scripts rely on (docs/output.md), not whatever the code prints today.
var update = flag.Bool("update", false, "rewrite the golden files of machine-readable output")

// golden compares got with testdata/golden/name, and checks that the
// document names its schema version first, as every machine-readable
// output does.
func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (go test ./cmd -run Golden -update writes it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
	first := strings.SplitN(strings.TrimPrefix(got, "{\n"), "\n", 2)[0]
	if !strings.HasPrefix(strings.TrimSpace(first), `"schema_version": `) && !strings.HasPrefix(first, "schema_version: ") {
		t.Errorf("%s: the first field is %q, want schema_version", name, first)
	}
}

// goldenTable is a table with one of each kind of service and forwarding.
var goldenTable = []string{
	"-A -t 192.0.2.10:80 -s wlc -p 300 -M 255.255.255.0",
	"-a -t 192.0.2.10:80 -r 10.0.1.1:8080 -m -w 2 -x 100 -y 50",
	"-a -t 192.0.2.10:80 -r 10.0.1.2:8080 -m -w 0",
	"-A -u 192.0.2.10:53 -s rr -o",
	"-a -u 192.0.2.10:53 -r 192.0.2.21:53 -g -w 1",
	"-A -f 7 -s sh -b sh-port",
	"-a -f 7 -r 10.0.2.1:0 -i --tun-type gue --tun-port 6080 --tun-nocsum -w 5",
	"-A -t [2001:db8::10]:443 -s mh -b mh-fallback,mh-port",
	"-a -t [2001:db8::10]:443 -r [2001:db8:1::1]:443 -g -w 1",
}

func TestGoldenList(t *testing.T) {
	rules, err := ipvsadm.ParseRules(goldenTable)
	if err != nil {
		t.Fatal(err)
	}
	k := opstest.New()
	k.Load(rules)
	for _, format := range []string{"json", "yaml"} {
		out, errOut, code := runWithKernel(t, k, "", "list", "-o", format)
		if code != 0 {
			t.Fatalf("list -o %s: exit %d\n%s", format, code, errOut)
		}
		golden(t, "list."+format, out)
	}
}

func TestGoldenCfLint(t *testing.T) {
	src := strings.Replace(cfGood, "port = 80", "port = eighty", 1) + "virtual old {\n     active = 0\n     address = 10.0.0.3 eth0:2\n     bogus = 1\n}\n"
	out, errOut, code := runCf(t, src, "lint", "-o", "json", "-")
	if code != 1 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	golden(t, "cf-lint.json", out)
	out, _, code = runCf(t, cfGood, "lint", "-o", "json", "-")
	if code != 0 {
		t.Fatalf("a clean file: exit %d", code)
	}
	golden(t, "cf-lint-clean.json", out)
}

// The rules' list grows with every new rule, so it has no golden file:
// its shape is checked instead.
func TestCfLintRulesJSON(t *testing.T) {
	out, _, code := runCf(t, "", "lint", "--list-rules", "-o", "json")
	var rep struct {
		SchemaVersion *int             `json:"schema_version"`
		Rules         []map[string]any `json:"rules"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 || rep.SchemaVersion == nil || *rep.SchemaVersion != 1 || len(rep.Rules) == 0 {
		t.Fatalf("exit %d, %v\n%.300s", code, err, out)
	}
	for _, r := range rep.Rules {
		if len(r) != 4 || r["code"] == nil || r["severity"] == nil || r["piranha"] == nil || r["summary"] == nil {
			t.Errorf("rule %v: want code, severity, piranha, summary", r)
		}
	}
}

func TestGoldenCfDiff(t *testing.T) {
	a := writeCf(t, cfGood)
	b := writeCf(t, strings.Replace(strings.Replace(cfGood, "scheduler = wlc", "scheduler = rr", 1), "serial_no = 4", "serial_no = 5", 1)+
		"virtual smtp {\n     active = 1\n     address = 10.0.0.2 eth0:2\n     port = 25\n}\n")
	out, errOut, code := runCf(t, "", "diff", "-o", "json", a, b)
	if code != 1 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	golden(t, "cf-diff.json", out)
	out, _, code = runCf(t, "", "diff", "-o", "json", a, a)
	if code != 0 {
		t.Fatalf("same file: exit %d", code)
	}
	golden(t, "cf-diff-same.json", out)
}

// goldenStatus is a daemon's answer with every part filled in once.
func goldenStatus() control.Status {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	serial := int32(4)
	return control.Status{
		SchemaVersion: control.StatusSchemaVersion,
		PID:           4242, Config: "/etc/sysconfig/ha/lvs.cf", Serial: 4, Digest: "3f2a", LoadedAt: at, Since: at,
		Heartbeat: control.HeartbeatStatus{HeartbeatState: control.HeartbeatState{Role: "active", Identity: "primary",
			Peer: control.PeerStatus{Heard: true, LastHeard: at, From: "10.0.0.3", Link: "public", State: "running", Lvsadm: true, Signed: true, Serial: &serial, Digest: "3f2a"}}},
		HeartbeatKeys: []string{"k1"},
		VIPs:          []string{"10.0.0.1/32 dev eth0:1"},
		Virtuals: []control.VirtualStatus{{Name: "www", Active: true, Address: "10.0.0.1", Port: 80, Protocol: "tcp",
			Servers: []control.ServerStatus{
				{Name: "web1", Address: "10.0.1.1", Port: 80, Weight: 1, Active: true, Virtual: "www", Server: "web1", State: control.Up, EverUp: true,
					LastCheck: &control.CheckResult{OK: true, Latency: 1500 * time.Microsecond, At: at}, LastTransition: at, Checks: 12},
				{Name: "web2", Address: "10.0.1.2", Port: 80, Weight: 2, Active: true, Virtual: "www", Server: "web2", State: control.Down, EverUp: true,
					LastCheck: &control.CheckResult{Reason: "connect: connection refused", Latency: 300 * time.Microsecond, At: at}, LastTransition: at, Checks: 12, Failures: 3,
				},
			}}},
		Events: []control.Event{{At: at, Kind: "health", Message: "web2 down: connect: connection refused", Server: "www/web2", State: control.Down, Reason: "connect: connection refused"}},
		Mode:   "pair",
	}
}

// fakeDaemon answers every request on a control socket in a temp
// directory with st, encoded as the daemon encodes it.
func fakeDaemon(t *testing.T, st control.Status) string {
	t.Helper()
	return controltest.Serve(t, func(_ string, c io.Writer) { control.EncodeStatus(c, st) })
}

func TestGoldenStatus(t *testing.T) {
	sock := fakeDaemon(t, goldenStatus())
	out, errOut, code := runLvsadm(t, "", "status", "-o", "json", "--socket", sock)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	golden(t, "status.json", out)
}
