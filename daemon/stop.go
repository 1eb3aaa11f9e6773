package daemon

import (
	"context"
	"strings"
	"time"

	"github.com/lvsadm/lvsadm/internal/capbuf"
	"github.com/lvsadm/lvsadm/internal/procgroup"
	"github.com/lvsadm/lvsadm/lvscf"
)

// stopLimits bound every step of giving up, so that SIGTERM ends the
// process within StopBound whatever active_cmd/inactive_cmd, iptables or
// the kernel do (issue 11 item 4: a stuck inactive_cmd kept a daemon up
// 70 s with the VIP held, and one that took 12 s used up the shared 10 s
// and left the table behind). Each step has its own budget: one that is
// slow cannot eat the next one's.
type stopLimits struct {
	table   time.Duration // clearing the services the daemon created
	fwmarks time.Duration // removing the fwmark_match iptables rules
	cmd     time.Duration // inactive_cmd at stop; then its group is killed
	cmdWait time.Duration // after a command's end or kill: its output pipes
	sync    time.Duration // stopping the kernel's sync daemons
	bgp     time.Duration // withdrawing the BGP routes, and the grace after
}

// stopBudget is the daemon's; tests shorten it.
var stopBudget = stopLimits{
	table:   8 * time.Second,
	fwmarks: 3 * time.Second,
	cmd:     5 * time.Second,
	cmdWait: time.Second,
	sync:    2 * time.Second,
	bgp:     4 * time.Second,
}

// StopBound is how long SIGTERM (the end of Run's context) may take to
// end Run: the sum of the stop steps' budgets, with a second to spare for
// the rest (sockets closing, health checks cancelled, each of those
// bounded well below it). The floating addresses go first, within
// milliseconds. dist/systemd/lvsadm.service's TimeoutStopSec (30 s) is
// above it.
const StopBound = 24 * time.Second

// cmdTimeout bounds active_cmd and inactive_cmd during a role change
// (pulse does not wait for them at all).
const cmdTimeout = time.Minute

// cmdOutputMax is how much of a command's output is kept for the log:
// a command that prints forever (active_cmd = /usr/bin/yes) costs this
// much and no more (issue 11 item 1).
const cmdOutputMax = 4 << 10

// runCommand runs argv directly (no shell) in a process group of its own,
// until it exits or ctx ends (then the whole group is killed), and
// returns the first cmdOutputMax bytes of its output. A descendant that
// escaped the group and keeps the output open holds it at most
// stopBudget.cmdWait longer.
func runCommand(ctx context.Context, argv []string) (string, error) {
	cmd := procgroup.Command(ctx, stopBudget.cmdWait, argv...)
	out := capbuf.New(cmdOutputMax)
	cmd.Stdout, cmd.Stderr = out, out
	err := cmd.Run()
	return strings.TrimSpace(out.String()), err
}

// giveUp is deactivate's work once the role has switched: the addresses
// first (the partner can take over as soon as they are gone; the table
// without them serves nobody), then the table and the fwmark rules, then
// the sync daemon as backup and inactive_cmd. stopping is Run's final
// deactivation (SIGTERM): every step then gets its own fresh budget
// (ctx is over by then), inactive_cmd is waited for within
// stopBudget.cmd, and the sync daemon is left to Run, which stops it.
// applyMu must be held.
func (d *Daemon) giveUp(ctx context.Context, cfg *lvscf.Config, stopping bool) {
	if err := d.o.VIPs.Release(); err != nil {
		d.log.Error("releasing floating addresses", "err", err)
	}
	step := func(budget time.Duration, fn func(ctx context.Context)) {
		if !stopping {
			fn(ctx)
			return
		}
		sctx, cancel := context.WithTimeout(context.Background(), budget)
		defer cancel()
		fn(sctx)
	}
	step(stopBudget.table, func(ctx context.Context) {
		if err := d.o.Table.Clear(ctx); err != nil {
			d.log.Error("clearing the table", "err", err)
		}
	})
	step(stopBudget.fwmarks, func(ctx context.Context) {
		// An iptables call takes no context and may wait 10 s for the
		// xtables lock: Remove stops between rules when ctx ends, and
		// this does not wait for the call in progress, which ends by
		// itself (its -w timeout), or with the process.
		errc := make(chan error, 1)
		go func() { errc <- d.o.Fwmarks.Remove(ctx) }()
		select {
		case err := <-errc:
			if err != nil {
				d.log.Error("removing fwmark_match iptables rules", "err", err)
			}
		case <-ctx.Done():
			d.log.Error("removing fwmark_match iptables rules: not done in time, giving up", "err", ctx.Err())
		}
	})
	if !stopping {
		d.syncDaemon(ctx, cfg, false)
	}
	d.runCmd(ctx, cfg.InactiveCmd)
}
