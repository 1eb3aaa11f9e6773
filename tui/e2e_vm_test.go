//go:build vmtest

package tui

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"

	"github.com/lvsadm/lvsadm/ops/labns"
)

// vtScreen is what a person would see on the terminal lvsadm draws on: the
// pseudo-terminal's output fed through a terminal emulator, so assertions
// are about the screen (including what is no longer on it), not about the
// stream of partial redraws.
type vtScreen struct {
	mu   sync.Mutex
	term *vt.Emulator
}

func (s *vtScreen) write(p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _ = s.term.Write(p)
}

func (s *vtScreen) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.term.String()
}

// waitFor polls the screen until ok holds, or fails the test with the last
// screen after 20 s.
func (s *vtScreen) waitFor(t *testing.T, what string, ok func(screen string) bool) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		scr := s.text()
		if ok(scr) {
			return scr
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: not on screen after 20s:\n%s", what, scr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// lines returns the screen lines that contain sub.
func lines(screen, sub string) []string {
	var out []string
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return out
}

// TestTUIEndToEndVM drives the real "lvsadm tui" as a person would, on an
// LVS-NAT director with a client's requests flowing through it: the
// connections view filtered to one real server lists only that server's
// connections; in the services view that server is drained (d, y), and the
// real ipvsadm then reads weight 0 from the kernel, while the client's
// requests keep succeeding through the other server; then it is taken out
// (x, y), which the real ipvsadm confirms while the TUI keeps its ghost
// row, and put back (u, y) with the same forwarding and weight.
func TestTUIEndToEndVM(t *testing.T) {
	lvsadm, lab := os.Getenv("LVSADM"), os.Getenv("LAB")
	if lvsadm == "" || lab == "" {
		t.Skip("LVSADM and LAB are set by testdata/vm/vmtest.sh")
	}
	const ipcmd = "/usr/sbin/ip"
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	labns.Run(t, func() {
		sh := func(script string) {
			t.Helper()
			out, err := exec.CommandContext(ctx, "sh", "-c", ". "+lab+"/topology.sh\n"+script).CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v\n%s", script, err, out)
			}
		}
		sh("lab_nat_topology")
		defer sh("lab_teardown")
		ipvsadm(t, "-A", "-t", "192.168.100.10:80", "-s", "rr")
		ipvsadm(t, "-a", "-t", "192.168.100.10:80", "-r", "10.10.1.2:80", "-m")
		ipvsadm(t, "-a", "-t", "192.168.100.10:80", "-r", "10.10.2.2:80", "-m")

		// The client fetches through the VIP about ten times a second,
		// for at most a minute; each answer names the real server.
		answers, err := os.CreateTemp(t.TempDir(), "answers")
		if err != nil {
			t.Fatal(err)
		}
		trafficCtx, stopTraffic := context.WithCancel(ctx)
		defer stopTraffic()
		// (No -T: Debian's static busybox wget dies with a segmentation
		// fault on -T in the lab VM.)
		traffic := exec.CommandContext(trafficCtx, "sh", "-c",
			`i=0; while [ $i -lt 600 ]; do `+ipcmd+` netns exec client wget -qO- http://192.168.100.10/ || echo FAILED; i=$((i + 1)); sleep 0.1; done`)
		traffic.Stdout, traffic.Stderr = answers, answers
		if err := traffic.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { stopTraffic(); _ = traffic.Wait() }()
		for deadline := time.Now().Add(20 * time.Second); ; {
			b, _ := os.ReadFile(answers.Name())
			if strings.Count(string(b), "rs1") > 0 && strings.Count(string(b), "rs2") > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the client's requests through the VIP are not answered by both servers after 20 s:\n%s", b)
			}
			time.Sleep(200 * time.Millisecond)
		}

		master, slave := openPty(t, 24, 80)
		defer master.Close()
		scr := &vtScreen{term: vt.NewEmulator(80, 24)}
		cmd := exec.CommandContext(ctx, lvsadm, "tui", "--interval", "500ms")
		cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
		cmd.Env = append(os.Environ(), "TERM=xterm-256color")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		slave.Close()
		go func() {
			buf := make([]byte, 8192)
			for {
				n, err := master.Read(buf)
				scr.write(buf[:n])
				if err != nil {
					return
				}
			}
		}()
		// The emulator answers terminal queries as a terminal would.
		go func() {
			buf := make([]byte, 256)
			for {
				n, err := scr.term.Read(buf)
				if n > 0 {
					_, _ = master.Write(buf[:n])
				}
				if err != nil {
					return
				}
			}
		}()
		defer scr.term.Close()
		key := func(s string) {
			t.Helper()
			if _, err := master.Write([]byte(s)); err != nil {
				t.Fatalf("typing %q: %v", s, err)
			}
		}

		scr.waitFor(t, "the services view with both real servers", func(s string) bool {
			return len(lines(s, "-> 10.10.1.2:80")) == 1 && len(lines(s, "-> 10.10.2.2:80")) == 1
		})

		// Connections: both servers have some, then the filter keeps one.
		key("2")
		connsView := func(s string) bool {
			return strings.Contains(s, "[2 Connections]") && strings.Contains(s, "DESTINATION")
		}
		scr.waitFor(t, "connections to both real servers", func(s string) bool {
			return connsView(s) && len(lines(s, "10.10.1.2:80")) > 0 && len(lines(s, "10.10.2.2:80")) > 0
		})
		key("/")
		key("10.10.2.2")
		key("\r")
		filtered := scr.waitFor(t, "only rs2's connections", func(s string) bool {
			return connsView(s) && strings.Contains(s, "filter: 10.10.2.2") &&
				len(lines(s, "10.10.2.2:80")) > 0 && len(lines(s, "10.10.1.2:80")) == 0
		})
		t.Logf("connections filtered to 10.10.2.2:\n%s", filtered)
		key("\x1b") // esc clears the filter
		scr.waitFor(t, "both servers again after esc", func(s string) bool {
			return connsView(s) && !strings.Contains(s, "filter: 10.10.2.2") &&
				len(lines(s, "10.10.1.2:80")) > 0 && len(lines(s, "10.10.2.2:80")) > 0
		})

		// Services: select rs2's row, drain it, confirm.
		key("1")
		scr.waitFor(t, "the services view", func(s string) bool { return strings.Contains(s, "[1 Services]") })
		selected := regexp.MustCompile(`(?m)^>\s+-> 10\.10\.2\.2:80`)
		for i := 0; ; i++ {
			s := scr.waitFor(t, "the services view", func(s string) bool { return len(lines(s, "-> 10.10.2.2:80")) == 1 })
			if selected.MatchString(s) {
				break
			}
			if i == 5 {
				t.Fatalf("could not select rs2's row:\n%s", s)
			}
			key("j")
			time.Sleep(300 * time.Millisecond)
		}
		key("d")
		scr.waitFor(t, "the drain confirmation", func(s string) bool { return strings.Contains(s, "Drain 10.10.2.2:80") && strings.Contains(s, "[y/N]") })
		key("y")

		// waitKernel polls the real ipvsadm -Ln until ok holds, or
		// fails the test after 10 s.
		waitKernel := func(what string, ok func(ln string) bool) {
			t.Helper()
			for deadline := time.Now().Add(10 * time.Second); ; {
				ln := ipvsadm(t, "-Ln")
				if ok(ln) {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("the kernel table does not show %s after 10 s:\n%s", what, ln)
				}
				time.Sleep(200 * time.Millisecond)
			}
		}
		weightRe := regexp.MustCompile(`(?m)^  -> 10\.10\.2\.2:80\s+Masq\s+(\d+)\s`)
		drainedInKernel := func(ln string) bool {
			m := weightRe.FindStringSubmatch(ln)
			return m != nil && m[1] == "0"
		}
		waitKernel("10.10.2.2:80 masq at weight 0 after the drain", drainedInKernel)
		drained := scr.waitFor(t, "rs2 at weight 0 on screen", func(s string) bool {
			l := lines(s, "-> 10.10.2.2:80")
			return len(l) == 1 && regexp.MustCompile(`masq\s+0\s`).MatchString(l[0])
		})
		t.Logf("after the drain:\n%s", drained)

		// New requests go to rs1 only, and none fails.
		off, _ := answers.Seek(0, 1)
		time.Sleep(3 * time.Second)
		tail := make([]byte, 1<<16)
		n, _ := answers.ReadAt(tail, off)
		got := strings.Fields(string(tail[:n]))
		if len(got) == 0 {
			t.Fatalf("no client answers in the 3 s after the drain")
		}
		for _, a := range got {
			if a != "rs1" {
				t.Errorf("after the drain the client got %q, want rs1 only (all: %q)", a, got)
				break
			}
		}

		// Take rs2 out: the kernel loses it, the screen keeps a ghost
		// row (still selected) for putting it back.
		key("x")
		scr.waitFor(t, "the take-out confirmation", func(s string) bool {
			return strings.Contains(s, "Take 10.10.2.2:80 out?") && strings.Contains(s, "connections are cut") && strings.Contains(s, "[y/N]")
		})
		key("y")
		rs2Re := regexp.MustCompile(`(?m)^  -> 10\.10\.2\.2:80\s`)
		waitKernel("10.10.2.2:80 gone after x, y", func(ln string) bool { return !rs2Re.MatchString(ln) })
		ghost := scr.waitFor(t, "rs2's ghost row", func(s string) bool {
			l := lines(s, "-> 10.10.2.2:80")
			return len(l) == 1 && strings.Contains(l[0], "OUT") && strings.Contains(l[0], "taken out by you") &&
				strings.Contains(s, "(lvsadm -d -t 192.168.100.10:80 -r 10.10.2.2:80)")
		})
		t.Logf("after taking rs2 out:\n%s", ghost)

		// Put it back from its ghost row: the same forwarding, and the
		// weight it had (0, drained).
		key("u")
		scr.waitFor(t, "the put-back confirmation", func(s string) bool {
			return strings.Contains(s, "Put 10.10.2.2:80 in tcp 192.168.100.10:80 back (masq, weight 0)? [y/N]")
		})
		key("y")
		waitKernel("10.10.2.2:80 back, masq at weight 0, after u, y", drainedInKernel)
		back := scr.waitFor(t, "rs2's kernel row again", func(s string) bool {
			l := lines(s, "-> 10.10.2.2:80")
			return len(l) == 1 && !strings.Contains(l[0], "OUT") && regexp.MustCompile(`masq\s+0\s`).MatchString(l[0])
		})
		t.Logf("after putting rs2 back:\n%s", back)

		key("q")
		if err := cmd.Wait(); err != nil {
			t.Errorf("lvsadm tui: %v", err)
		}
	})
}
