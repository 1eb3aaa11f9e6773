package gobgpengine

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/daemon/bgp"
	api "github.com/osrg/gobgp/v4/api"
	packet "github.com/osrg/gobgp/v4/pkg/packet/bgp"
)

// GoBGP's log lines arrive one level down: errors as warnings, the rest as
// debug, its own debug output below anything a daemon enables.
func TestQuietHandler(t *testing.T) {
	var got []slog.Level
	h := quietHandler{recordLevels{&got}}
	log := slog.New(h)
	log.Error("e")
	log.Warn("w")
	log.Info("i")
	log.Debug("d")
	want := []slog.Level{slog.LevelWarn, slog.LevelDebug, slog.LevelDebug, slog.LevelDebug - 4}
	if len(got) != len(want) {
		t.Fatalf("levels %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("levels %v, want %v", got, want)
		}
	}
	info := slog.New(quietHandler{slog.NewTextHandler(&strings.Builder{}, nil)})
	if info.Enabled(context.Background(), slog.LevelInfo) {
		t.Error("GoBGP's Info is enabled at a daemon's Info level")
	}
}

type recordLevels struct{ got *[]slog.Level }

func (r recordLevels) Enabled(context.Context, slog.Level) bool { return true }
func (r recordLevels) Handle(_ context.Context, rec slog.Record) error {
	*r.got = append(*r.got, rec.Level)
	return nil
}
func (r recordLevels) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r recordLevels) WithGroup(string) slog.Handler      { return r }

func TestSessionStates(t *testing.T) {
	for i, want := range fsmStates {
		if got := stateFromFSM(packet.FSMState(i)); got != want {
			t.Errorf("FSM %d: %s, want %s", i, got, want)
		}
	}
	if got := stateFromAPI(api.PeerState_SESSION_STATE_ESTABLISHED); got != bgp.StateEstablished {
		t.Errorf("API established: %s", got)
	}
	if got := stateFromAPI(api.PeerState_SESSION_STATE_OPENSENT); got != bgp.StateOpenSent {
		t.Errorf("API opensent: %s", got)
	}
	if got := stateFromAPI(api.PeerState_SESSION_STATE_UNSPECIFIED); got != bgp.StateIdle {
		t.Errorf("API unspecified: %s", got)
	}
}
