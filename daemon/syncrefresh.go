package daemon

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/lvsadm/lvsadm/lvscf"
)

// Connection sync by time, not by packet count. The kernel's sync master
// sends a connection when its incoming packet count reaches sync_threshold
// (3) and then every sync_period (50) packets; the backup's copy gets the
// master's timeout for the connection (net/netfilter/ipvs/ip_vs_sync.c:
// ip_vs_sync_conn_needed, ip_vs_proc_conn). A connection with fewer than 50
// packets per timeout therefore vanishes from the backup between two
// messages (seen in the lab: tcp_timeout 4 s, a 512 kB/s download sent
// about 15 packets a second to the director, so the backup's copy lived 4 s
// of every 5 or so), and one that carries few packets reaches a returning
// primary late or never.
//
// With sync_period 0 (the second number of net.ipv4.vs.sync_threshold)
// and sync_refresh_period R the master instead sends a
// connection on a state change and, on any packet, once min(R, max(timeout/2,
// 10 s)) has passed since it last sent it (Documentation/networking/
// ipvs-sysctl.rst): a live connection is re-sent every R seconds or so,
// whatever its packet rate, and the backup's copy stays as long as the
// master's. R is a quarter of the TCP established timeout that lvs.cf sets,
// within [1 s, 10 s]: four messages per timeout, so a lost or late one (the
// master flushes its buffer every 2 s) does not let the copy expire.
const (
	// sync_threshold holds two numbers: the threshold and sync_period.
	syncThresholdPath     = "/proc/sys/net/ipv4/vs/sync_threshold"
	syncRefreshPeriodPath = "/proc/sys/net/ipv4/vs/sync_refresh_period"
	syncRefreshMax        = 10 * time.Second
	syncRefreshMin        = time.Second
	// syncDelivery bounds how long a connection the master has queued
	// takes to reach the backup: the buffer is sent once 2 s old
	// (IPVS_SYNC_FLUSH_TIME), checked every second (IPVS_SYNC_CHECK_PERIOD).
	syncDelivery = 3 * time.Second
	// syncThreshold is the kernel's default, written back beside
	// sync_period 0 (with a refresh period it only matters for
	// connections that carry that many packets before the first refresh).
	syncThreshold = 3
)

// syncRefreshPeriod is R for cfg (whole seconds: the sysctl's unit).
func syncRefreshPeriod(cfg *lvscf.Config) time.Duration {
	r := syncRefreshMax
	if cfg.TCPTimeout > 0 {
		r = time.Duration(float64(cfg.TCPTimeout)/4) * time.Second
	}
	r = r.Truncate(time.Second)
	if r < syncRefreshMin {
		r = syncRefreshMin
	}
	if r > syncRefreshMax {
		r = syncRefreshMax
	}
	return r
}

// applySyncRefresh sets sync_threshold "3 0" and sync_refresh_period R when the
// sync daemon runs (the kernel's values otherwise stay as they are).
func (d *Daemon) applySyncRefresh(cfg *lvscf.Config) {
	if !cfg.SyncDaemon {
		return
	}
	r := syncRefreshPeriod(cfg)
	if err := setSyncRefresh(r); err != nil {
		d.log.Error("connection sync by time", "err", err)
		return
	}
	d.log.Debug("net.ipv4.vs.sync_threshold 3 0, sync_refresh_period set", "seconds", int(r/time.Second))
}

func setSyncRefresh(r time.Duration) error {
	// Refresh first: sync_period 0 with sync_refresh_period 0 would sync a
	// connection only once.
	if err := os.WriteFile(syncRefreshPeriodPath, []byte(strconv.Itoa(int(r/time.Second))+"\n"), 0o644); err != nil {
		return fmt.Errorf("setting net.ipv4.vs.sync_refresh_period: %w", err)
	}
	if err := os.WriteFile(syncThresholdPath, []byte(strconv.Itoa(syncThreshold)+" 0\n"), 0o644); err != nil {
		return fmt.Errorf("setting net.ipv4.vs.sync_threshold: %w", err)
	}
	return nil
}
