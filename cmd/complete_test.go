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

	"github.com/spf13/cobra"

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
// bash against a freshly built lvsadm and checks what it offers: with the
// bash-completion package loaded, and without it (a minimal install),
// where the script's own stand-ins do its part.
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
	cfFile := filepath.Join(t.TempDir(), "lvs.cf")
	pair, err := os.ReadFile("../testdata/lab/pair.cf")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfFile, pair, 0o644); err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs("../completions/lvsadm.bash")
	if err != nil {
		t.Fatal(err)
	}
	for _, withPackage := range []bool{true, false} {
		t.Run(map[bool]string{true: "bash-completion", false: "alone"}[withPackage], func(t *testing.T) {
			bashCompletionCases(t, bash, bin, script, cfFile, withPackage, bashCompletion)
		})
	}
}

func bashCompletionCases(t *testing.T, bash, bin, script, cfFile string, withPackage bool, bashCompletion string) {
	load := "source " + bashCompletion + "\n"
	if !withPackage {
		// Proof that nothing of the package is there to lean on.
		load = "! declare -F _get_comp_words_by_ref _filedir _init_completion >/dev/null || exit 3\n"
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
		prog := load + `source ` + script + `
complete -p lvsadm >/dev/null || exit 4
COMP_WORDS=(` + strings.Join(quoted, " ") + `)
COMP_CWORD=` + strconv.Itoa(len(words)-1) + `
COMP_LINE='` + line + `'
COMP_POINT=${#COMP_LINE}
__start_lvsadm lvsadm
printf '%s\n' "${COMPREPLY[@]}"`
		cmd := exec.Command(bash, "--norc", "--noprofile", "-c", prog)
		cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "LVSADM_CONFIG="+cfFile)
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
	has(complete("lvsadm cf get virtual.web.server.rs1."), "virtual.web.server.rs1.weight", "virtual.web.server.rs1.address")
	has(complete("lvsadm cf delete virtual.web.server.r"), "virtual.web.server.rs1", "virtual.web.server.rs2")
	has(complete("lvsadm cf set -f "+cfFile+" keep"), "keepalive")
	has(complete("lvsadm list -o "), "json", "yaml")
	has(complete("lvsadm status -o "), "text", "json")
	has(complete("lvsadm cf export --to "), "keepalived")
	has(complete("lvsadm cf lint --output="), "text", "json")
}

func TestCfPathCandidates(t *testing.T) {
	var many []string
	for i := 0; i < 3*maxPathCandidates; i++ {
		many = append(many, "virtual.www.server.rs"+strconv.Itoa(i)+".weight", "virtual.[a.b].server.rs"+strconv.Itoa(i)+".port")
	}
	// completeCfPaths passes the paths that start with what is typed.
	matching := func(prefix string) []string {
		var out []string
		for _, p := range many {
			if strings.HasPrefix(p, prefix) {
				out = append(out, p)
			}
		}
		return out
	}
	got, dir := pathCandidates(matching("virtual."), "virtual.")
	if strings.Join(got, " ") != "virtual.[a.b]. virtual.www." || dir&cobra.ShellCompDirectiveNoSpace == 0 {
		t.Errorf("collapsed: %q, directive %d", got, dir)
	}
	got, _ = pathCandidates(matching("virtual.www.server.r"), "virtual.www.server.r")
	if len(got) != 3*maxPathCandidates || got[0] != "virtual.www.server.rs0." {
		t.Errorf("one level down: %d, first %q", len(got), got[0])
	}
	got, dir = pathCandidates(matching("virtual.www.server.rs12"), "virtual.www.server.rs12")
	if len(got) != 11 || got[0] != "virtual.www.server.rs12.weight" || dir&cobra.ShellCompDirectiveNoSpace != 0 {
		t.Errorf("few enough: %q, directive %d", got, dir)
	}
}

// TestFlagValueCompletion asks lvsadm itself, as the shells do, for the
// values of every flag of flagValues.
func TestFlagValueCompletion(t *testing.T) {
	for _, fv := range flagValues {
		argv := append(append([]string{"lvsadm", "__complete"}, strings.Fields(fv.cmd)[1:]...), "--"+fv.flag, "")
		rc, out, _ := runCaptured(argv, nil)
		want := strings.Join(fv.values, "\n") + "\n:4\n"
		if rc != 0 || out != want {
			t.Errorf("%q: exit %d, %q; want %q", argv, rc, out, want)
		}
	}
}
