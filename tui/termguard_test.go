package tui

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestInitOrder checks, in this test binary (which links tui as lvsadm
// does), that termguard is initialised before termenv and bubbletea and
// that tui's init, which restores TERM, comes after bubbletea's.
func TestInitOrder(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	re := regexp.MustCompile(`(?m)^init (\S+) @`)
	pos := map[string]int{}
	for i, m := range re.FindAllStringSubmatch(string(out), -1) {
		pos[m[1]] = i + 1
	}
	guard := pos["github.com/lvsadm/lvsadm/tui/internal/termguard"]
	termenv := pos["github.com/muesli/termenv"]
	tea := pos["github.com/charmbracelet/bubbletea"]
	tui := pos["github.com/lvsadm/lvsadm/tui"]
	if guard == 0 || termenv == 0 || tea == 0 || tui == 0 {
		t.Fatalf("missing from the init trace: guard %d termenv %d bubbletea %d tui %d\n%s", guard, termenv, tea, tui, out)
	}
	if !(guard < termenv && termenv < tea && tea < tui) {
		t.Errorf("init order: termguard %d, termenv %d, bubbletea %d, tui %d; want increasing", guard, termenv, tea, tui)
	}
}

// TestTermRestored runs this binary with a TERM of its own and checks that
// the tests see it unchanged: termguard's TERM=dumb does not outlive
// initialisation.
func TestTermRestored(t *testing.T) {
	if os.Getenv("TUI_TERM_HELPER") == "1" {
		// In the child: print what initialisation left.
		v, ok := os.LookupEnv("TERM")
		os.Stdout.WriteString("TERM=" + v + " set=" + map[bool]string{true: "yes", false: "no"}[ok] + "\n")
		return
	}
	for _, tc := range []struct{ env, want string }{
		{"TERM=xterm-256color", "TERM=xterm-256color set=yes"},
		{"", "TERM= set=no"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestTermRestored$", "-test.v")
		env := []string{"TUI_TERM_HELPER=1"}
		for _, e := range os.Environ() {
			if !strings.HasPrefix(e, "TERM=") {
				env = append(env, e)
			}
		}
		if tc.env != "" {
			env = append(env, tc.env)
		}
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if !strings.Contains(string(out), tc.want+"\n") {
			t.Errorf("with %q: child saw\n%s\nwant %q", tc.env, out, tc.want)
		}
	}
}
