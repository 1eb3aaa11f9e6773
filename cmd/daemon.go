package cmd

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/lvsadm/lvsadm/daemon"
	"github.com/lvsadm/lvsadm/lvscf"
)

// DaemonOptions is what "lvsadm daemon" was asked to do.
type DaemonOptions struct {
	IO IOStreams

	// Daemon is daemon.Options from the flags, without the logger (made
	// from LogLevel when the daemon starts).
	Daemon   daemon.Options
	LogLevel slog.Level
}

// NewCmdDaemon is "lvsadm daemon"; runF as in NewCmdList.
func NewCmdDaemon(f *Factory, runF func(context.Context, *DaemonOptions) error) *cobra.Command {
	opts := &DaemonOptions{IO: f.IO}
	var (
		logLevel   string
		foreground bool
		resync     time.Duration
	)
	o := &opts.Daemon
	c := &cobra.Command{
		Use:   "daemon",
		Short: "Run the director: piranha's pulse, lvs, nanny and send_arp in one process",
		Long: `Run a load-balancing director from lvs.cf, as piranha's pulse did: exchange
heartbeats with the partner director (piranha's wire format, so a piranha pair
can be migrated one director at a time), check every real server (nanny's
checks), and while active hold the virtual addresses (gratuitous ARP) and keep
the IPVS table equal to the configuration minus the real servers that are down.
The daemon is the one writer of the services it owns: a health change or a
reload edits exactly what it changes, and every --resync-interval the whole
table is read back and hand edits are repaired (and logged as such).

The daemon stays in the foreground and logs to standard error (systemd's
Type=notify; see /usr/lib/systemd/system/lvsadm.service). SIGHUP reloads lvs.cf: a file with lint
errors is refused and the running state kept; otherwise only the difference is
applied ("lvsadm reload" does the same and prints the verdict). SIGTERM gives
the addresses and the table up and exits. "lvsadm status" reads the state
through the control socket; "lvsadm drain", "undrain", "weight", "out" and "in"
set operator overrides the daemon holds until cleared (not across restarts).

With director_mode = ecmp every director is active, with no heartbeat, and
announces its VIPs over BGP (lvs.cf's bgp block) while it has a healthy real
server; "lvsadm drain-director" withdraws them. The BGP speaker runs as a
helper process, lvsadm-bgp, looked for in $LVSADM_BGP_HELPER, beside lvsadm,
then in /usr/libexec/lvsadm and PATH.

Most of the daemon's memory is the model of the farm, which lives as long as
the process, so it runs Go's garbage collector at GOGC=50 (collect when the
heap has grown by half of what is live, not doubled), unless GOGC is set in
its environment.`,
		Example: `  lvsadm daemon --config /etc/sysconfig/ha/lvs.cf
  lvsadm daemon --heartbeat-key-file /etc/lvsadm/heartbeat.key`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			_ = foreground // always in the foreground; the flag is pulse's -n
			if err := opts.LogLevel.UnmarshalText([]byte(logLevel)); err != nil {
				return &exitError{code: 2, err: fmt.Errorf("--log-level: %w", err)}
			}
			// One daemon per network namespace, whatever --socket says.
			o.LockDir = daemon.DefaultLockDir
			o.ResyncInterval = resync
			if resync <= 0 {
				o.ResyncInterval = -1 // off
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return daemonRun(c.Context(), opts)
		},
	}
	fl := c.Flags()
	fl.StringVarP(&o.ConfigPath, "config", "c", lvscf.DefaultPath, "lvs.cf to run")
	fl.StringVar(&o.SocketPath, "socket", daemon.DefaultSocket, "control socket (root only)")
	fl.BoolVarP(&foreground, "foreground", "n", true, "stay in the foreground (always the case)")
	fl.StringVar(&o.Role, "role", "auto", "primary, backup, or auto: the director holding the primary address is the primary")
	fl.BoolVar(&o.ForceActive, "force-active", false, "start active (pulse --forceactive)")
	fl.StringVar(&o.KeyFile, "heartbeat-key-file", "", "HMAC-SHA256 heartbeat keys, one per line, signing key first (mode 0600), re-read on SIGHUP; both directors need it (\"lvsadm cf keygen\" writes one). Without it the daemon warns: spoofed heartbeats can move the VIPs")
	fl.BoolVar(&o.PlainHeartbeat, "heartbeat-plain", false, "send exactly piranha's 4-byte heartbeat, without lvsadm's trailer")
	fl.StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	fl.DurationVar(&resync, "resync-interval", daemon.DefaultResync, "while active, read the whole IPVS table this often and repair what differs from what the daemon wrote (hand edits are logged as repaired); 0 turns it off. Health changes and reloads do not wait for it")
	fl.StringVar(&o.MetricsListen, "metrics-listen", "", "serve Prometheus metrics on GET http://ADDR/metrics (e.g. 127.0.0.1:9539; bind it to a management address); off when empty")
	return c
}

// daemonGCPercent is the garbage collector's target for the daemon when
// GOGC is not set. At Go's default of 100 the heap grows to twice what is
// live before a collection; the daemon's live heap is mostly the farm's
// model, kept for the process's life (35 MB at 10,000 real servers), and
// its garbage is the checks' small change, so the default spends as much
// memory again on garbage. Prometheus made the same choice for the same
// reason (GOGC 75 by default unless set, prometheus/prometheus#14288).
// BENCHMARKS.md gives the memory and CPU it trades.
const daemonGCPercent = 50

// setDaemonGC applies daemonGCPercent unless GOGC is set (the runtime
// has applied it already; empty is unset there too), and reports whether
// it did.
func setDaemonGC(getenv func(string) string) bool {
	if getenv("GOGC") != "" {
		return false
	}
	debug.SetGCPercent(daemonGCPercent)
	return true
}

func daemonRun(ctx context.Context, opts *DaemonOptions) error {
	setDaemonGC(os.Getenv)
	o := opts.Daemon
	o.Logger = slog.New(slog.NewTextHandler(opts.IO.ErrOut, &slog.HandlerOptions{Level: opts.LogLevel}))
	d, err := daemon.New(o)
	if err != nil {
		return err
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				d.Reload() // the verdict is logged; a refused file keeps the running state
			}
		}
	}()
	return d.Run(ctx)
}
