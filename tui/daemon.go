package tui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"
)

// DaemonSource reads the failover daemon's status (lvsadm daemon's control
// socket). The TUI works without one: health then shows "-".
type DaemonSource interface {
	Status(ctx context.Context) (*DaemonStatus, error)
	// Where names the daemon in messages ("no daemon at PATH").
	Where() string
}

// DaemonStatus holds the fields of the daemon's status JSON
// ("lvsadm status -o json") that the TUI shows. It is the TUI's own
// decoding type rather than daemon.Status so that this package does not
// import the daemon and everything it links; a test encodes a real
// daemon.Status and decodes it with this type, so the two cannot drift.
type DaemonStatus struct {
	Config          string          `json:"config"`
	Serial          int             `json:"serial_no"`
	Digest          string          `json:"digest"`
	LoadedAt        time.Time       `json:"loaded_at"`
	LastReloadError string          `json:"last_reload_error"`
	Heartbeat       DaemonHeartbeat `json:"heartbeat"`
	VIPs            []string        `json:"vips"`
	Virtuals        []DaemonVirtual `json:"virtuals"`
	Events          []DaemonEvent   `json:"events"`
	TableError      string          `json:"table_error"`
	Since           time.Time       `json:"role_since"`
}

// DaemonHeartbeat is the failover state machine's part of the status.
type DaemonHeartbeat struct {
	Role       string     `json:"role"`
	Identity   string     `json:"identity"`
	Peer       DaemonPeer `json:"peer"`
	Rejected   uint64     `json:"rejected"`
	LastReject string     `json:"last_reject"`
	ChildFail  bool       `json:"services_failed"`
	LinkFail   bool       `json:"link_failed"`
	// PrivateLink: heartbeats also travel over the private addresses.
	PrivateLink bool `json:"private_link"`
}

// DaemonPeer is what the daemon knows of the other director.
type DaemonPeer struct {
	Heard     bool      `json:"heard"`
	LastHeard time.Time `json:"last_heard"`
	From      string    `json:"from"`
	Link      string    `json:"link"`
	// When a heartbeat last came over each link.
	LastHeardPublic  time.Time `json:"last_heard_public"`
	LastHeardPrivate time.Time `json:"last_heard_private"`
	State            string    `json:"state"`
	Lvsadm           bool      `json:"lvsadm"`
	Signed           bool      `json:"signed"`
	Serial           *int32    `json:"serial_no"`
	Digest           string    `json:"digest"`
	DigestMatch      *bool     `json:"digest_match"`
}

// DaemonVirtual is one virtual server of the daemon's configuration.
type DaemonVirtual struct {
	Name     string         `json:"name"`
	Active   bool           `json:"active"`
	Address  string         `json:"address"`
	Port     uint16         `json:"port"`
	Protocol string         `json:"protocol"`
	Fwmark   uint32         `json:"fwmark"`
	Servers  []DaemonServer `json:"servers"`
}

// DaemonServer is one real server with its health.
type DaemonServer struct {
	Name           string       `json:"name"`
	Address        string       `json:"address"`
	Port           uint16       `json:"port"`
	Weight         int          `json:"weight"`
	Active         bool         `json:"active"`
	State          string       `json:"state"` // unknown, up, down
	EverUp         bool         `json:"ever_up"`
	LastCheck      *DaemonCheck `json:"last_check"`
	LastTransition time.Time    `json:"last_transition"`
}

// DaemonCheck is the result of a server's last health check.
type DaemonCheck struct {
	OK      bool          `json:"ok"`
	Reason  string        `json:"reason"`
	Answer  string        `json:"answer"`
	Latency time.Duration `json:"latency_ns"`
	At      time.Time     `json:"at"`
}

// DaemonEvent is one entry of the daemon's recent history.
type DaemonEvent struct {
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"`
	Message string    `json:"message"`
	Server  string    `json:"server"`
	State   string    `json:"state"`
	Reason  string    `json:"reason"`
}

// SocketDaemon is the DaemonSource over the daemon's unix control socket:
// one request line "status", one JSON answer.
type SocketDaemon struct{ Path string }

// maxDaemonStatus bounds what is read from the socket, as lvsadm status does.
const maxDaemonStatus = 16 << 20

// ErrNoDaemon means nothing answers on the control socket: no daemon runs.
var ErrNoDaemon = errors.New("no daemon")

// Where implements DaemonSource.
func (s SocketDaemon) Where() string { return s.Path }

// Status implements DaemonSource. ctx bounds the whole exchange.
func (s SocketDaemon) Status(ctx context.Context) (*DaemonStatus, error) {
	var dl net.Dialer
	c, err := dl.DialContext(ctx, "unix", s.Path)
	if err != nil {
		if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
			return nil, fmt.Errorf("%w at %s", ErrNoDaemon, s.Path)
		}
		return nil, fmt.Errorf("connecting to the daemon at %s: %w", s.Path, err)
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	// A context cancelled without a deadline still ends a stuck read.
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := io.WriteString(c, "status\n"); err != nil {
		return nil, fmt.Errorf("asking the daemon at %s: %w", s.Path, err)
	}
	raw, err := io.ReadAll(io.LimitReader(c, maxDaemonStatus))
	if err != nil {
		return nil, fmt.Errorf("reading the daemon's answer: %w", err)
	}
	var st DaemonStatus
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil, fmt.Errorf("decoding the daemon's answer: %w", err)
	}
	return &st, nil
}
