// Command demo runs the TUI over a synthetic source, for looking at it
// without a kernel (under tmux: see docs/tui.md). It is a development aid,
// not part of lvsadm.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"

	"github.com/lvsadm/lvsadm/tui"
	"github.com/lvsadm/lvsadm/tui/cfedit"
	"github.com/lvsadm/lvsadm/tui/internal/fake"
)

func main() {
	conns := flag.Int("conns", 5000, "synthetic connection entries")
	interval := flag.Duration("interval", time.Second, "refresh interval")
	noDaemon := flag.Bool("no-daemon", false, "run as if no daemon were running")
	config := flag.String("config", "", "an lvs.cf for the Config view (a copy: saving writes it; it is never applied)")
	readOnly := flag.Bool("read-only", false, "as lvsadm tui --read-only")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o := tui.Options{Interval: *interval, Daemon: fake.NewDaemon(), ReadOnly: *readOnly}
	if *noDaemon {
		o.Daemon = control.New("/nonexistent/lvsadm.sock")
	}
	if *config != "" {
		// Loaded and saved only: no daemon to reload and no Apply, so
		// the demo never touches a kernel.
		o.Config = cfedit.FileDeps(*config)
	}
	if err := tui.Run(ctx, fake.New(*conns), os.Stdin, os.Stdout, o); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}
