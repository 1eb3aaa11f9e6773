// Command ptyrun measures a full-screen program as a person runs it, for
// the lab's TUI benchmarks: it starts the command on a pseudo-terminal of
// the given size, types -keys after -settle, lets it run for -for, then
// reads the process's CPU time and peak resident memory from /proc, types
// "q" and waits for it to exit. Output is one line:
//
//	cpu_ms=N wall_ms=N hwm_kb=N
//
// It runs only inside the lab VM (make bench).
//
//	ptyrun -for 30s -keys 2 -- lvsadm tui --interval 1s
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lvsadm/lvsadm/ops/labns"
)

func main() {
	dur := flag.Duration("for", 30*time.Second, "how long the CPU time is measured")
	warm := flag.Duration("warm", 5*time.Second, "time between the keys and the measured window")
	settle := flag.Duration("settle", time.Second, "time before the keys are typed")
	keys := flag.String("keys", "", "keys typed after -settle")
	rows := flag.Int("rows", 24, "terminal rows")
	cols := flag.Int("cols", 80, "terminal columns")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: ptyrun [flags] -- command [args]")
		os.Exit(2)
	}
	if err := run(flag.Args(), *warm, *dur, *settle, *keys, uint16(*rows), uint16(*cols)); err != nil {
		fmt.Fprintln(os.Stderr, "ptyrun:", err)
		os.Exit(1)
	}
}

func run(argv []string, warm, dur, settle time.Duration, keys string, rows, cols uint16) error {
	master, slave, err := labns.OpenPty(rows, cols)
	if err != nil {
		return err
	}
	defer master.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", argv[0], err)
	}
	slave.Close()
	// Drain the screen output as a terminal would, so the program never
	// blocks on a full pty buffer.
	go func() { _, _ = io.Copy(io.Discard, master) }()
	time.Sleep(settle)
	if keys != "" {
		if _, err := master.Write([]byte(keys)); err != nil {
			return fmt.Errorf("typing: %w", err)
		}
	}
	time.Sleep(warm)
	cpu0, err := cpuTime(cmd.Process.Pid)
	if err != nil {
		return err
	}
	start := time.Now()
	time.Sleep(dur)
	cpu1, err := cpuTime(cmd.Process.Pid)
	if err != nil {
		return err
	}
	cpu := cpu1 - cpu0
	hwm, err := peakRSS(cmd.Process.Pid)
	if err != nil {
		return err
	}
	wall := time.Since(start)
	_, _ = master.Write([]byte("q"))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("%s: %w", argv[0], err)
		}
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		return errors.New("the program did not quit on q")
	}
	fmt.Printf("cpu_ms=%d wall_ms=%d hwm_kb=%d\n", cpu.Milliseconds(), wall.Milliseconds(), hwm)
	return nil
}

// cpuTime is utime + stime of pid (fields 14 and 15 of /proc/PID/stat).
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: count from after ')'.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	var ticks int64
	for _, v := range f[11:13] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
		}
		ticks += n
	}
	// USER_HZ is 100 on Linux/x86.
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}

// peakRSS is VmHWM of pid in kB.
func peakRSS(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}
