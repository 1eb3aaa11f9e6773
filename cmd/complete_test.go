package cmd

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/ops"
)

func noKernel() (ops.Kernel, error) { return nil, errors.New("no IPVS here") }

func TestCompleteIpvsadm(t *testing.T) {
	for _, tc := range []struct {
		words []string
		want  []string
		not   []string
	}{
		{[]string{"-A", "-t", "10.0.0.1:80", "-s", "w"}, []string{"wrr", "wlc"}, []string{"rr"}},
		{[]string{"-A", "--sch"}, []string{"--scheduler", "--sched-flags"}, []string{"-s"}},
		{[]string{"--start-daemon", ""}, []string{"master", "backup"}, nil},
		{[]string{"-a", "-t", "10.0.0.1:80", "-r", "10.0.1.1", "-i", "--tun-type", "g"}, []string{"gue", "gre"}, []string{"ipip"}},
		{[]string{"-L", "-"}, []string{"-n", "--numeric", "--stats", "-c"}, nil},
	} {
		var out bytes.Buffer
		completeIpvsadm(context.Background(), tc.words, &out, noKernel)
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if lines[len(lines)-1] != ":4" {
			t.Errorf("%q: no directive line: %q", tc.words, out.String())
		}
		got := map[string]bool{}
		for _, l := range lines[:len(lines)-1] {
			got[l] = true
		}
		for _, w := range tc.want {
			if !got[w] {
				t.Errorf("%q: %q not offered (got %q)", tc.words, w, lines)
			}
		}
		for _, w := range tc.not {
			if got[w] {
				t.Errorf("%q: %q offered", tc.words, w)
			}
		}
	}
}

// TestBashCompletion runs the committed bash completion script in a real
// bash against a freshly built lvsadm and checks what it offers.
func TestBashCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash on this machine")
	}
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "lvsadm"), "..")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building lvsadm: %v\n%s", err, out)
	}
	const bashCompletion = "/usr/share/bash-completion/bash_completion"
	if _, err := os.Stat(bashCompletion); err != nil {
		t.Fatalf("%s is missing: make unit installs bash-completion (testdata/host-deps.sh)", bashCompletion)
	}
	script, err := filepath.Abs("../completions/lvsadm.bash")
	if err != nil {
		t.Fatal(err)
	}
	complete := func(line string) []string {
		t.Helper()
		words := strings.Fields(line)
		if strings.HasSuffix(line, " ") {
			words = append(words, "")
		}
		var quoted []string
		for _, w := range words {
			quoted = append(quoted, "'"+w+"'")
		}
		prog := `source ` + bashCompletion + `
source ` + script + `
COMP_WORDS=(` + strings.Join(quoted, " ") + `)
COMP_CWORD=` + strconv.Itoa(len(words)-1) + `
COMP_LINE='` + line + `'
COMP_POINT=${#COMP_LINE}
__start_lvsadm lvsadm
printf '%s\n' "${COMPREPLY[@]}"`
		cmd := exec.Command(bash, "--norc", "--noprofile", "-c", prog)
		cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("bash: %v\n%s", err, out)
		}
		return strings.Fields(string(out))
	}
	has := func(got []string, want ...string) {
		t.Helper()
		for _, w := range want {
			found := false
			for _, g := range got {
				if g == w {
					found = true
				}
			}
			if !found {
				t.Errorf("%q not offered; got %q", w, got)
			}
		}
	}
	has(complete("lvsadm -A -t 10.0.0.1:80 -s "), "rr", "wlc", "mh")
	has(complete("lvsadm cf "), "lint", "apply", "render")
	has(complete("lvsadm -L --st"), "--stats")
}
