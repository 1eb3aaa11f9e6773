package tui

import (
	"context"

	"github.com/lvsadm/lvsadm/daemon/control"
)

// DaemonSource reads the failover daemon's status (lvsadm daemon's control
// socket; *control.Client is one). The TUI works without one: health then
// shows "-". Package control is standard library only, so the TUI links
// nothing of the daemon.
type DaemonSource interface {
	Status(ctx context.Context, f control.Filter) (*control.Status, error)
	// Where names the daemon in messages ("no daemon at PATH").
	Where() string
}

// DaemonControl is a DaemonSource that also takes the operator's
// overrides (*control.Client is one): the TUI's drain, weight, take-out
// and put-back go through it for the services the daemon owns, so that
// its next resync does not undo them.
type DaemonControl interface {
	DaemonSource
	Override(ctx context.Context, r control.OverrideRequest) (control.OverrideResult, error)
}
