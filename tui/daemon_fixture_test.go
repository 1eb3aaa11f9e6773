package tui

import (
	"context"
	"encoding/json"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"
)

// fixtureStatus is a daemon's status for the real servers of table(): web
// (10.0.0.1:80) has two servers up and one down that the daemon removed from the kernel; tls (10.0.0.2:443) has
// none up: one quiesced (weight 0 in the kernel), one coming back. The peer
// runs another configuration.
func fixtureStatus() control.Status {
	at := func(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }
	peerSerial := int32(6)
	differs := false
	srv := func(name, addr string, st string, lc *control.CheckResult, since time.Time) control.ServerStatus {
		return control.ServerStatus{Name: name, Address: addr, Weight: 1, Active: true,
			Server: name, State: st, EverUp: true, LastCheck: lc, LastTransition: since}
	}
	ok := &control.CheckResult{OK: true, Latency: 1200 * time.Microsecond, At: at(-1)}
	return control.Status{
		PID: 4242, Config: "/etc/sysconfig/ha/lvs.cf", Serial: 7,
		Digest:   "3f2a9c0d1e4b5a6978a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b",
		LoadedAt: at(-3600),
		Heartbeat: control.HeartbeatStatus{HeartbeatState: control.HeartbeatState{Role: "active", Identity: "primary", Rejected: 2,
			LastReject: "bad signature from 192.0.2.99", PrivateLink: true,
			Peer: control.PeerStatus{Heard: true, LastHeard: at(-2), From: "192.0.2.2", Link: "public", State: "running",
				LastHeardPublic: at(-2), LastHeardPrivate: at(-48),
				Lvsadm: true, Signed: true, Serial: &peerSerial, Digest: "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29180f7e6d5c4b3a2918f7e6d5c4b3", DigestMatch: &differs}}},
		VIPs: []string{"10.0.0.1/24 on eth0", "10.0.0.2/24 on eth0"},
		Virtuals: []control.VirtualStatus{
			{Name: "web", Active: true, Address: "10.0.0.1", Port: 80, Protocol: "tcp", Servers: []control.ServerStatus{
				srv("web1", "10.0.1.1", control.Up, ok, at(-3500)),
				srv("web2", "10.0.1.2", control.Up, ok, at(-3500)),
				srv("web3", "10.0.1.3", control.Down, &control.CheckResult{Reason: "connect: connection refused", Latency: 310 * time.Microsecond, At: at(-3)}, at(-63)),
			}},
			{Name: "tls", Active: true, Address: "10.0.0.2", Port: 443, Protocol: "tcp", Servers: []control.ServerStatus{
				srv("tls1", "10.0.2.1", control.Down, &control.CheckResult{Reason: "timeout after 5s", Answer: "HTTP/1.1 503", Latency: 5 * time.Second, At: at(-4)}, at(-600)),
				srv("tls2", "10.0.2.2", control.Down, ok, at(-30)),
			}},
		},
		Events: []control.Event{
			{At: at(-3600), Kind: "role", Message: "primary: taking over (no heartbeat from the backup for 15s)", State: "active"},
			{At: at(-1800), Kind: "config", Message: "reload refused: lvs.cf:12: unknown keyword \"wieght\""},
			{At: at(-600), Kind: "health", Message: "down tls:tls1 10.0.2.1", Server: "tls/tls1", State: "down", Reason: "timeout after 5s"},
			{At: at(-63), Kind: "health", Message: "down web:web3 10.0.1.3", Server: "web/web3", State: "down", Reason: "connect: connection refused"},
			{At: at(-30), Kind: "health", Message: "down tls:tls2 10.0.2.2", Server: "tls/tls2", State: "down", Reason: "connect: connection refused"},
		},
		LastReloadError: "lvs.cf:12: unknown keyword \"wieght\"",
		Since:           at(-3600),
	}
}

// jsonDaemon serves a control.Status through its JSON encoding, as the
// control socket does, without a socket.
type jsonDaemon struct {
	st  control.Status
	err error
}

func (j *jsonDaemon) Status(context.Context, control.Filter) (*control.Status, error) {
	if j.err != nil {
		return nil, j.err
	}
	raw, err := json.Marshal(j.st)
	if err != nil {
		return nil, err
	}
	var s control.Status
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

func (j *jsonDaemon) Where() string { return "/run/lvsadm/lvsadm.sock" }
