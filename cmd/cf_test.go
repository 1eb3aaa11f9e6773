package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/ipvsadm"
	"github.com/lvsadm/lvsadm/ops/opstest"
)

// runCf runs "lvsadm cf ARGS..." with buffers and returns what it printed
// and its exit status (as Main would compute it).
func runCf(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runLvsadm(t, stdin, append([]string{"cf"}, args...)...)
}

// runLvsadm runs "lvsadm ARGS..." (a cobra subcommand) with buffers and
// returns what it printed and its exit status (as Main would compute it).
func runLvsadm(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runWithKernel(t, nil, stdin, args...)
}

// testFactory is a Factory on buffers whose kernel is k; with k nil,
// opening the kernel fails the test (a command that should not need it).
func testFactory(t *testing.T, k ops.Kernel, stdin string) (f *Factory, out, errOut *bytes.Buffer) {
	out, errOut = new(bytes.Buffer), new(bytes.Buffer)
	f = NewFactory(IOStreams{In: strings.NewReader(stdin), Out: out, ErrOut: errOut})
	f.Kernel = func() (ops.Kernel, error) {
		if k == nil {
			t.Error("the command opened the kernel")
			return nil, errors.New("no kernel in this test")
		}
		return k, nil
	}
	return f, out, errOut
}

// runWithKernel is runLvsadm with k as the kernel.
func runWithKernel(t *testing.T, k ops.Kernel, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	f, out, errOut := testFactory(t, k, stdin)
	root := NewRootCmd(f)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	if err != nil {
		code = 1
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
		if msg := err.Error(); msg != "" {
			errOut.WriteString("lvsadm: " + msg + "\n")
		}
	}
	return out.String(), errOut.String(), code
}

const cfGood = `serial_no = 4
primary = 10.0.0.2
service = lvs
network = nat
nat_router = 10.0.1.254 eth1:1
virtual www {
     active = 1
     address = 10.0.0.1 eth0:1
     port = 80
     scheduler = wlc
     server web1 {
         address = 10.0.1.1
         active = 1
         weight = 1
     }
     server web2 {
         address = 10.0.1.2
         active = 1
         weight = 2
     }
}
`

func writeCf(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "lvs.cf")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCfLint(t *testing.T) {
	good := writeCf(t, cfGood)
	warn := writeCf(t, strings.Replace(cfGood, "serial_no = 4\n", "serial_no = 4\nkeepalive = 2\nkeepalive = 3\n", 1))
	bad := writeCf(t, strings.Replace(cfGood, "port = 80", "port = eighty", 1))
	for _, tc := range []struct {
		name string
		args []string
		code int
		out  string // substring of stdout
	}{
		{"clean", []string{"lint", good}, 0, ""},
		{"warnings alone pass", []string{"lint", warn}, 0, "warning: "},
		{"strict fails on warnings", []string{"lint", "--strict", warn}, 1, "[duplicate-key]"},
		{"errors", []string{"lint", bad}, 1, "lvs.cf:9:13: error: "},
		{"source and caret", []string{"lint", "--source=always", bad}, 1, "     port = eighty\n            ^\n"},
		{"unreadable wins", []string{"lint", bad, filepath.Join(t.TempDir(), "none")}, 2, "error: "},
		{"stdin", []string{"lint", "-"}, 0, ""},
		{"list rules", []string{"lint", "--list-rules"}, 0, "unknown-key"},
		{"piranha", []string{"lint", "--piranha", writeCf(t, strings.Replace(cfGood, "scheduler = wlc", "scheduler = mh", 1))}, 1, "[piranha-scheduler]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdin := ""
			if tc.name == "stdin" {
				stdin = cfGood
			}
			out, errOut, code := runCf(t, stdin, tc.args...)
			if code != tc.code || !strings.Contains(out, tc.out) {
				t.Errorf("code %d (want %d)\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errOut)
			}
		})
	}
	out, _, code := runCf(t, "", "lint", "-o", "json", bad)
	var rep struct {
		SchemaVersion int              `json:"schema_version"`
		Diagnostics   []map[string]any `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 1 || rep.SchemaVersion != 1 || len(rep.Diagnostics) == 0 ||
		rep.Diagnostics[0]["severity"] != "error" || rep.Diagnostics[0]["line"] != 9.0 {
		t.Errorf("json: code %d, %v\n%s", code, err, out)
	}
	if out, _, _ := runCf(t, "", "lint", "-o", "json", good); out != "{\n  \"schema_version\": 1,\n  \"diagnostics\": []\n}\n" {
		t.Errorf("json of a clean file: %q", out)
	}
}

func TestCaretLine(t *testing.T) {
	for _, tc := range []struct {
		line string
		col  int
		want string
	}{
		{"port = x", 8, "       ^"},
		{"\tport = x", 9, "\t       ^"},
		{"é = x", 4, "  ^"}, // columns are bytes; the caret counts characters
		{"a", 0, "^"},
		{"a", 10, " ^"},
	} {
		if got := caretLine(tc.line, tc.col); got != tc.want {
			t.Errorf("caretLine(%q, %d) = %q, want %q", tc.line, tc.col, got, tc.want)
		}
	}
}

func TestCfFmt(t *testing.T) {
	messy := strings.ReplaceAll(cfGood, "     active", "\tactive") + "\n\n"
	p := writeCf(t, messy)
	out, _, code := runCf(t, "", "fmt", p)
	if code != 0 || out != cfGood {
		t.Fatalf("fmt: code %d\n%s", code, out)
	}
	out, _, _ = runCf(t, "", "fmt", "-d", p)
	if !strings.Contains(out, "-\tactive = 1\n+     active = 1\n") {
		t.Errorf("fmt -d:\n%s", out)
	}
	if out, _, _ = runCf(t, "", "fmt", "-l", p); out != p+"\n" {
		t.Errorf("fmt -l: %q", out)
	}
	if _, _, code = runCf(t, "", "fmt", "-w", p); code != 0 {
		t.Fatalf("fmt -w: %d", code)
	}
	if b, _ := os.ReadFile(p); string(b) != cfGood {
		t.Errorf("fmt -w wrote:\n%s", b)
	}
	if b, _ := os.ReadFile(p + ".bak"); string(b) != messy {
		t.Error("fmt -w kept no backup")
	}
	if out, _, _ = runCf(t, "", "fmt", "-l", p); out != "" {
		t.Errorf("fmt -l after -w: %q", out)
	}
	_, errOut, code := runCf(t, "", "fmt", writeCf(t, "virtual v {\n"))
	if code != 1 || !strings.Contains(errOut, "[unclosed-block]") {
		t.Errorf("fmt of a broken file: %d\n%s", code, errOut)
	}
}

func TestCfDiff(t *testing.T) {
	a := writeCf(t, cfGood)
	b := writeCf(t, strings.Replace(cfGood, "weight = 2", "weight = 3", 1))
	if out, _, code := runCf(t, "", "diff", a, a); code != 0 || out != "" {
		t.Errorf("same: %d %q", code, out)
	}
	out, _, code := runCf(t, "", "diff", a, b)
	if code != 1 || out != "~ virtual.www.server.web2.weight: \"2\" -> \"3\"\n" {
		t.Errorf("different: %d %q", code, out)
	}
	if _, _, code := runCf(t, "", "diff", a, writeCf(t, "virtual v {\n")); code != 2 {
		t.Errorf("broken file: %d, want 2", code)
	}
}

func TestCfEdits(t *testing.T) {
	p := writeCf(t, cfGood)
	steps := []struct {
		args []string
		code int
	}{
		{[]string{"set", "-f", p, "virtual.www.server.web1.weight", "5"}, 0},
		{[]string{"add", "-f", p, "server", "www", "web3", "address=10.0.1.3", "active=1"}, 0},
		{[]string{"add", "-f", p, "server", "www", "web4", "active=1"}, 1}, // no address: lint error, not saved
		{[]string{"add", "-f", p, "virtual", "dns", "address=10.0.0.3 eth0:2", "active=1", "port=53", "protocol=udp", `send="x"`}, 0},
		{[]string{"delete", "-f", p, "virtual.www.server.web2"}, 0},
		{[]string{"set", "-f", p, "virtual.www.port", "eighty"}, 1},
		{[]string{"set", "-f", p, "virtual..port", "80"}, 2},
		{[]string{"add", "-f", p, "neighbor", "10.0.0.254", "remote_as=65000"}, 1}, // the new bgp block has no local_as
		{[]string{"add", "-f", p, "bgp", "local_as=65001"}, 0},
		{[]string{"add", "-f", p, "neighbor", "10.0.0.254", "remote_as=65000", "bfd=1"}, 0},
		{[]string{"add", "-f", p, "neighbor"}, 2},
		{[]string{"set", "-f", p, "--no-bump-serial", "bgp.neighbor[10.0.0.254].hold_time", "9"}, 0},
		{[]string{"set", "-f", p, "--no-bump-serial", "bgp.neighbor[10.0.0.254].hold_time", "2"}, 1},
		{[]string{"set", "-f", p, "serial_no", "100"}, 0},
		{[]string{"set", "-f", p, "--no-bump-serial", "keepalive", "1"}, 0},
	}
	for _, s := range steps {
		if _, errOut, code := runCf(t, "", s.args...); code != s.code {
			t.Fatalf("%q: code %d, want %d\n%s", s.args, code, s.code, errOut)
		}
	}
	for path, want := range map[string]string{
		"serial_no":                           "100",
		"keepalive":                           "1",
		"virtual.www.server.web1.weight":      "5",
		"virtual.www.server.web3.address":     "10.0.1.3",
		"virtual.dns.address":                 "10.0.0.3 eth0:2",
		"virtual.dns.port":                    "53",
		"bgp.local_as":                        "65001",
		"bgp.neighbor[10.0.0.254].bfd":        "1",
		"bgp.neighbor.[10.0.0.254].hold_time": "9",
	} {
		if out, _, code := runCf(t, "", "get", "-f", p, path); code != 0 || out != want+"\n" {
			t.Errorf("get %s = %q (%d), want %q", path, out, code, want)
		}
	}
	if _, _, code := runCf(t, "", "get", "-f", p, "virtual.www.server.web2.weight"); code != 1 {
		t.Errorf("get of a deleted block: %d, want 1", code)
	}
	t.Setenv("LVSADM_CONFIG", p)
	if out, _, code := runCf(t, "", "get", "primary"); code != 0 || out != "10.0.0.2\n" {
		t.Errorf("get with $LVSADM_CONFIG: %q (%d)", out, code)
	}
	if out, _, _ := runCf(t, "", "get", "-f", p, "--effective", "virtual.www.persistent"); out != "0\n" {
		t.Errorf("get --effective: %q", out)
	}
	if out, _, _ := runCf(t, "", "diff", p+".bak", p); out != "~ keepalive: \"2\" -> \"1\"\n" {
		t.Errorf("the backup is not the previous version: %q", out)
	}
}

func TestCfApply(t *testing.T) {
	actual, err := ipvsadm.ParseRules([]string{
		"-A -t 10.0.0.1:80 -s rr",
		"-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 1",
		"-a -t 10.0.0.1:80 -r 10.0.1.9:80 -m -w 1",
		"-A -t 10.0.0.3:80 -s rr", // the file's inactive virtual "old"
		"-A -t 10.0.0.9:80 -s rr", // not in the file
	})
	if err != nil {
		t.Fatal(err)
	}
	k := opstest.New()
	k.Load(actual)
	runCf := func(t *testing.T, stdin string, args ...string) (string, string, int) {
		return runWithKernel(t, k, stdin, append([]string{"cf"}, args...)...)
	}

	p := writeCf(t, cfGood+"virtual old {\n     active = 0\n     address = 10.0.0.3 eth0:2\n}\n")
	want := "-D -t 10.0.0.3:80\n-E -t 10.0.0.1:80 -s wlc\n-d -t 10.0.0.1:80 -r 10.0.1.9:80\n-a -t 10.0.0.1:80 -r 10.0.1.2:80 -m -w 2\n"
	out, errOut, code := runCf(t, "", "apply", "--dry-run", p)
	if code != 0 || out != want || len(k.Changes()) != 0 {
		t.Fatalf("dry run: code %d, ops %v\n%s%s", code, k.Changes(), out, errOut)
	}
	out, _, code = runCf(t, "", "apply", p)
	if got := fmt.Sprint(k.Changes()); code != 0 || out != want || got != "[del-service edit-service del-dest add-dest]" {
		t.Fatalf("apply: code %d, ops %v\n%s", code, got, out)
	}
	before := len(k.Changes())
	bad := writeCf(t, strings.Replace(cfGood, "primary = 10.0.0.2\n", "", 1))
	_, errOut, code = runCf(t, "", "apply", bad)
	if code != 1 || len(k.Changes()) != before || !strings.Contains(errOut, "[missing-key]") || !strings.Contains(errOut, "nothing was changed") {
		t.Errorf("a config with errors: code %d, ops %v\n%s", code, k.Changes(), errOut)
	}
}

// TestCfRenderNothing: issue 13 found "cf render" printing nothing, exit
// 0, on real files. When there is no rule, standard error says why (exit
// 0, as documented); when there are rules it stays quiet.
func TestCfRenderNothing(t *testing.T) {
	const head = "primary = 10.0.0.1\nnetwork = direct\n"
	for _, tc := range []struct{ name, src, why string }{
		{"fos", head + "service = fos\nfailover f {\n     active = 1\n     address = 10.0.0.50 eth0:1\n     start_cmd = \"/bin/true\"\n     stop_cmd = \"/bin/true\"\n}\n", "service = fos: a failover configuration has no IPVS rules"},
		{"no virtual", head + "service = lvs\n", "no virtual server in the file: no IPVS rules"},
		{"inactive", head + "service = lvs\nvirtual web {\n     active = 0\n     address = 10.0.0.100 eth0:1\n     port = 80\n}\n", "no active virtual server (1 inactive): no IPVS rules"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runCf(t, "", "render", writeCf(t, tc.src))
			if code != 0 || out != "" || errOut != "lvsadm: "+tc.why+"\n" {
				t.Errorf("code %d\nstdout %q\nstderr %q", code, out, errOut)
			}
		})
	}
	out, errOut, code := runCf(t, "", "render", writeCf(t, cfGood))
	if code != 0 || out == "" || errOut != "" {
		t.Errorf("rules: code %d\nstdout %q\nstderr %q", code, out, errOut)
	}
}
