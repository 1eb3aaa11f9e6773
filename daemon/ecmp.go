package daemon

import (
	"context"
	"fmt"
	"os"

	"github.com/lvsadm/lvsadm/lvscf"
	"github.com/lvsadm/lvsadm/ops"
)

// director_mode = ecmp: every director that reads the file is active at
// once, with the same table; a router spreads the VIPs' flows over those
// that announce them with BGP. There is no heartbeat and no takeover: a
// director that fails is routed around (its BGP session or BFD drops), and
// the flows the router moves to another director survive there because
// the table and its consistent hashing (mh with mh-port) are the same on
// every director and sloppy_tcp lets IPVS take a flow up mid-stream. The
// VIPs sit on the devices lvs.cf names (lo or a dummy) and are never
// announced with gratuitous ARP: the router reaches them through BGP's
// next hop.

func isECMP(cfg *lvscf.Config) bool { return cfg.DirectorMode == lvscf.DirectorModeECMP }

// sloppyTCPPath is IPVS's sysctl (present once ip_vs is loaded; one per
// network namespace).
const sloppyTCPPath = "/proc/sys/net/ipv4/vs/sloppy_tcp"

// setSloppyTCP sets net.ipv4.vs.sloppy_tcp: with it IPVS creates a
// connection entry from any packet of a TCP flow, not only a SYN, so a
// flow that ECMP moves here from another director is forwarded to the
// same real server (mh) instead of reaching the local stack and being reset.
func setSloppyTCP(on bool) error {
	v := "0\n"
	if on {
		v = "1\n"
	}
	if err := os.WriteFile(sloppyTCPPath, []byte(v), 0o644); err != nil {
		return fmt.Errorf("setting net.ipv4.vs.sloppy_tcp: %w", err)
	}
	return nil
}

// applySloppyTCP sets the sysctl when lvs.cf asks for it, or when a
// reload turned it off (a file that never mentions it leaves the kernel's
// value alone).
func (d *Daemon) applySloppyTCP(old, cfg *lvscf.Config) {
	was := old != nil && old.SloppyTCP
	if cfg.SloppyTCP == was {
		return
	}
	if err := setSloppyTCP(cfg.SloppyTCP); err != nil {
		d.log.Error("sloppy_tcp", "err", err)
		return
	}
	d.log.Info("net.ipv4.vs.sloppy_tcp set", "value", cfg.SloppyTCP)
}

// startSyncDaemons starts the kernel's connection sync daemons. In a pair
// the active director is the master and the standby the backup (pulse).
// In ECMP mode every director runs both at once: a master with syncd_id
// sending its own connections, and a backup with syncid 0, which accepts
// every syncid, receiving the others' (IPVS runs both in one namespace,
// and a master's multicast does not loop back to its own backup). A flow
// the router moves to this director then finds its connection (and
// persistence template) already here.
func (d *Daemon) startSyncDaemons(ctx context.Context, cfg *lvscf.Config, master bool) {
	if !isECMP(cfg) {
		st := ops.DaemonBackup
		if master {
			st = ops.DaemonMaster
		}
		d.startSync(ctx, cfg, st, uint32(cfg.SyncdID&0xff))
		return
	}
	d.startSync(ctx, cfg, ops.DaemonMaster, uint32(cfg.SyncdID&0xff))
	d.startSync(ctx, cfg, ops.DaemonBackup, 0)
}

func (d *Daemon) startSync(ctx context.Context, cfg *lvscf.Config, st, id uint32) {
	err := d.o.Kernel.StartDaemon(ctx, ops.Daemon{State: st, McastIfn: cfg.SyncdIface, SyncID: id})
	if err != nil {
		d.log.Error("starting the sync daemon", "state", st, "syncid", id, "err", err)
	}
}

// syncDescription is the sync daemons as status lists them.
func syncDescription(cfg *lvscf.Config, active bool) []string {
	if !cfg.SyncDaemon {
		return nil
	}
	id := cfg.SyncdID & 0xff
	switch {
	case isECMP(cfg):
		return []string{fmt.Sprintf("master syncid %d on %s", id, cfg.SyncdIface), fmt.Sprintf("backup syncid 0 (any) on %s", cfg.SyncdIface)}
	case active:
		return []string{fmt.Sprintf("master syncid %d on %s", id, cfg.SyncdIface)}
	}
	return []string{fmt.Sprintf("backup syncid %d on %s", id, cfg.SyncdIface)}
}
