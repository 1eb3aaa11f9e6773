package tui

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/ops/labns"
)

// TestStartTouchesNoTerminal starts this test binary, which links package
// tui and everything it imports as lvsadm does, with a terminal on standard
// input, output and error, as the foreground process of its session, inside
// a (fake) tmux, and runs no test: only the packages' initialisation runs.
// It must not write to the terminal (bubbletea v1's init queried the
// background color and waited up to 5 s for the answer: a query is an
// escape sequence, so "nothing written" also rules out the wait), nor run
// programs (lipgloss v2's init runs "tmux info" inside tmux).
func TestStartTouchesNoTerminal(t *testing.T) {
	master, slave, err := tryOpenPty(24, 80)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer master.Close()
	dir := t.TempDir()
	ran := filepath.Join(dir, "ran")
	for _, prog := range []string{"tmux", "infocmp", "tput", "stty"} {
		script := fmt.Sprintf("#!/bin/sh\necho %s \"$@\" >>%s\n", prog, ran)
		if err := os.WriteFile(filepath.Join(dir, prog), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"TERM=xterm-256color", "TMUX=" + filepath.Join(dir, "tmux-sock") + ",1,0", "PATH=" + dir}
	for _, e := range os.Environ() {
		switch name, _, _ := strings.Cut(e, "="); name {
		case "TERM", "TMUX", "PATH", "NO_COLOR", "COLORTERM", "CLICOLOR", "CLICOLOR_FORCE", "GODEBUG":
		default:
			env = append(env, e)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		slave.Close()
		t.Fatal(err)
	}
	slave.Close()
	done := make(chan []byte)
	go func() {
		var out bytes.Buffer
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			out.Write(buf[:n])
			if err != nil { // EIO once the child and its terminal are gone
				done <- out.Bytes()
				return
			}
		}
	}()
	err = cmd.Wait()
	var out []byte
	select {
	case out = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the terminal stayed open after the child exited")
	}
	if err != nil {
		t.Fatalf("%v\n%q", err, out)
	}
	if !bytes.Contains(out, []byte("PASS")) {
		t.Errorf("child output %q, want its PASS", out)
	}
	if bytes.ContainsRune(out, 0x1b) {
		t.Errorf("initialisation wrote escape sequences to the terminal: %q", out)
	}
	if b, err := os.ReadFile(ran); err == nil {
		t.Errorf("initialisation ran programs:\n%s", b)
	}
}

// tryOpenPty opens a pseudo-terminal of rows x cols.
func tryOpenPty(rows, cols uint16) (master, slave *os.File, err error) {
	return labns.OpenPty(rows, cols)
}
