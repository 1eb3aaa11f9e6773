package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every -o/--output FORMAT refuses a format its command does not print
// in the same words, as a usage error with the Try line, before anything
// is opened (no kernel, no daemon, no file).
func TestOutputFlagRefuses(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"list", "-o", "xml"}, `unknown output format "xml": expected json or yaml`},
		{[]string{"status", "-o", "yaml"}, `unknown output format "yaml": expected text or json`},
		{[]string{"cf", "lint", "--output=yaml"}, `unknown output format "yaml": expected text or json`},
		{[]string{"cf", "diff", "-o", "csv", "a", "b"}, `unknown output format "csv": expected text or json`},
	} {
		_, errOut, code := runLvsadm(t, "", tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, "Try 'lvsadm ") {
			t.Errorf("%q: exit %d\n%s", tc.args, code, errOut)
		}
	}
}

func TestOrList(t *testing.T) {
	for in, want := range map[string]string{"json": "json", "text json": "text or json", "text json yaml": "text, json or yaml"} {
		if got := orList(strings.Fields(in)); got != want {
			t.Errorf("orList(%q) = %q, want %q", in, got, want)
		}
	}
}

// cf import and export write FILE with --out; the -o/--output FILE they
// had before still writes it, with a warning, and is hidden from help.
func TestOutFileFlag(t *testing.T) {
	p := writeCf(t, cfGood)
	dir := t.TempDir()
	for _, flag := range []string{"--out", "-o", "--output"} {
		k := filepath.Join(dir, "k"+flag)
		out, errOut, code := runCf(t, "", "export", "--to", "keepalived", p, flag, k)
		if code != 0 || out != "" {
			t.Fatalf("%s: exit %d\n%s%s", flag, code, out, errOut)
		}
		if b, err := os.ReadFile(k); err != nil || !strings.Contains(string(b), "virtual_server 10.0.0.1 80 {") {
			t.Errorf("%s: the file: %v\n%s", flag, err, b)
		}
		warned := strings.Contains(errOut, "lvsadm: warning: lvsadm cf export -o/--output FILE is deprecated: use --out FILE")
		if warned != (flag != "--out") {
			t.Errorf("%s: warned %v\n%s", flag, warned, errOut)
		}
	}
	_, errOut, code := runCf(t, "", "import", "--out", filepath.Join(dir, "a"), "-o", filepath.Join(dir, "b"), "keepalived.conf")
	if code != 2 || !strings.Contains(errOut, "give --out only") {
		t.Errorf("--out and -o: exit %d\n%s", code, errOut)
	}
	help, _, _ := runCf(t, "", "import", "--help")
	if !strings.Contains(help, "--out FILE") || strings.Contains(help, "--output") {
		t.Errorf("import --help:\n%s", help)
	}
}
