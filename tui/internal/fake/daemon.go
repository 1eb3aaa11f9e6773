package fake

import (
	"context"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"
)

// Daemon is a synthetic failover daemon for Source's services: web has a
// quiesced server and one down (out of the table), the peer runs another
// configuration.
type Daemon struct{ start time.Time }

// NewDaemon returns a Daemon whose history starts now.
func NewDaemon() *Daemon { return &Daemon{start: time.Now()} }

// Where implements tui.DaemonSource.
func (d *Daemon) Where() string { return "(demo)" }

// Status implements tui.DaemonSource.
func (d *Daemon) Status(context.Context, control.Filter) (*control.Status, error) {
	now := time.Now()
	ago := func(s int) time.Time { return d.start.Add(-time.Duration(s) * time.Second) }
	ok := &control.CheckResult{OK: true, Latency: 900 * time.Microsecond, At: now.Add(-time.Second)}
	up := func(name, addr string) control.ServerStatus {
		return control.ServerStatus{Name: name, Address: addr, Weight: 1, Active: true, State: "up", EverUp: true,
			LastCheck: ok, LastTransition: ago(3600)}
	}
	down := func(name, addr, reason string) control.ServerStatus {
		return control.ServerStatus{Name: name, Address: addr, Weight: 1, Active: true, State: "down", EverUp: true,
			LastCheck:      &control.CheckResult{Reason: reason, Latency: 2 * time.Millisecond, At: now.Add(-2 * time.Second)},
			LastTransition: ago(120)}
	}
	match := false
	serial := int32(41)
	return &control.Status{
		Config: "/etc/sysconfig/ha/lvs.cf", Serial: 42, Digest: "5b0e1d6c2a9f8e7d6c5b4a3928171605f4e3d2c1b0a9f8e7d6c5b4a392817160",
		LoadedAt: ago(3600),
		Heartbeat: control.HeartbeatStatus{HeartbeatState: control.HeartbeatState{Role: "active", Identity: "primary",
			Peer: control.PeerStatus{Heard: true, LastHeard: now.Add(-1500 * time.Millisecond), From: "192.0.2.2", Link: "private",
				State: "running", Lvsadm: true, Signed: true, Serial: &serial,
				Digest: "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90", DigestMatch: &match}}},
		VIPs: []string{"192.0.2.10/24 on eth0", "2001:db8::10/64 on eth0"},
		Virtuals: []control.VirtualStatus{
			{Name: "web", Active: true, Address: "192.0.2.10", Port: 80, Protocol: "tcp", Servers: []control.ServerStatus{
				up("web1", "10.0.1.1"), up("web2", "10.0.1.2"),
				down("web3", "10.0.1.3", "expect: got \"HTTP/1.1 500\""), down("web4", "10.0.1.4", "connect: connection refused")}},
			{Name: "dns", Active: true, Address: "192.0.2.10", Port: 53, Protocol: "udp", Servers: []control.ServerStatus{
				up("dns1", "10.0.2.1"), up("dns2", "10.0.2.2")}},
			{Name: "tls6", Active: true, Address: "2001:db8::10", Port: 443, Protocol: "tcp", Servers: []control.ServerStatus{
				up("tls1", "2001:db8:1::1"), up("tls2", "2001:db8:1::2")}},
		},
		Events: []control.Event{
			{At: ago(3600), Kind: "role", Message: "primary: taking over (no heartbeat from the backup)"},
			{At: ago(900), Kind: "config", Message: "reloaded (serial_no 42)"},
			{At: ago(120), Kind: "health", Message: "down web:web3 10.0.1.3", State: "down", Reason: "expect: got \"HTTP/1.1 500\""},
			{At: ago(120), Kind: "health", Message: "down web:web4 10.0.1.4", State: "down", Reason: "connect: connection refused"},
		},
		Since: ago(3600),
	}, nil
}
