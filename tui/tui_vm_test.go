//go:build vmtest

package tui

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// TestLvsadmTUIVM runs the real binary ($LVSADM tui) on a pseudo-terminal
// against a table built with the real ipvsadm: it must draw the table,
// switch to the connections view, and quit on q with status 0, without
// querying the terminal (nothing here answers: a query would cost 5 s).
func TestLvsadmTUIVM(t *testing.T) {
	lvsadm := os.Getenv("LVSADM")
	if lvsadm == "" {
		t.Skip("LVSADM not set")
	}
	if err := exec.Command(lvsadm, "tui", "--help").Run(); err != nil {
		t.Skipf("%s has no tui command yet: %v", lvsadm, err)
	}
	inNetns(t, func() {
		ipvsadm(t, "-A", "-t", "10.1.0.1:80", "-s", "wlc")
		ipvsadm(t, "-a", "-t", "10.1.0.1:80", "-r", "10.0.0.2:80", "-m", "-w", "3")
		ipvsadm(t, "-a", "-t", "10.1.0.1:80", "-r", "10.0.0.3:80", "-m", "-w", "1")
		master, slave := openPty(t, 24, 80)
		defer master.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, lvsadm, "tui", "--interval", "500ms")
		cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
		cmd.Env = append(os.Environ(), "TERM=xterm-256color")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
		start := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		slave.Close()
		var mu sync.Mutex
		var out bytes.Buffer
		go func() {
			buf := make([]byte, 4096)
			for {
				n, err := master.Read(buf)
				mu.Lock()
				out.Write(buf[:n])
				mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
		waitFor := func(s string) {
			t.Helper()
			deadline := time.Now().Add(20 * time.Second)
			for time.Now().Before(deadline) {
				mu.Lock()
				ok := strings.Contains(ansi.Strip(out.String()), s)
				mu.Unlock()
				if ok {
					return
				}
				time.Sleep(50 * time.Millisecond)
			}
			mu.Lock()
			defer mu.Unlock()
			t.Fatalf("no %q on screen after 20s:\n%s", s, ansi.Strip(out.String()))
		}
		waitFor("-> 10.0.0.2:80")
		if d := time.Since(start); d > 4*time.Second {
			t.Errorf("first screen after %v: did something wait for the terminal?", d)
		}
		waitFor("TCP 10.1.0.1:80 wlc")
		master.Write([]byte("2"))
		waitFor("entries:")
		master.Write([]byte("q"))
		if err := cmd.Wait(); err != nil {
			t.Errorf("lvsadm tui: %v", err)
		}
		mu.Lock()
		raw := out.String()
		mu.Unlock()
		if strings.Contains(raw, "\x1b]11;?") {
			t.Errorf("lvsadm queried the terminal's background color")
		}
		t.Logf("screen text (escape sequences stripped):\n%s", ansi.Strip(raw))
	})
}

// openPty opens a pseudo-terminal of rows x cols.
func openPty(t *testing.T, rows, cols uint16) (master, slave *os.File) {
	t.Helper()
	master, slave, err := tryOpenPty(rows, cols)
	if err != nil {
		t.Fatal(err)
	}
	return master, slave
}
