package bgp

import (
	"log/slog"
	"os/exec"
	"strings"
	"testing"
)

// The helper's JSON lines reach the daemon's log at their level, with
// their attributes in order; anything else (a panic's trace) as an error.
func TestRelayLog(t *testing.T) {
	var b strings.Builder
	log := slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug - 4,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}}))
	in := `{"time":"2026-12-02T10:00:00Z","level":"INFO","msg":"bgp: announce","prefix":"192.0.2.10/32","reason":"1 of 1 up"}
{"time":"2026-12-02T10:00:00Z","level":"DEBUG-4","msg":"gobgp chatter","n":3}
panic: boom
`
	relayLog(strings.NewReader(in), log)
	want := `level=INFO msg="bgp: announce" prefix=192.0.2.10/32 reason="1 of 1 up"
level=DEBUG-4 msg="gobgp chatter" n=3
level=ERROR msg="bgp helper: panic: boom"
`
	if b.String() != want {
		t.Errorf("relayed:\n%s\nwant:\n%s", b.String(), want)
	}
	if l := lowestLevel(slog.New(slog.NewTextHandler(&b, nil))); l != slog.LevelInfo {
		t.Errorf("lowest level of an Info logger: %v", l)
	}
}

// lvsadm must not link GoBGP (see the package comment): only lvsadm-bgp
// does, through gobgpengine.
func TestLvsadmDoesNotLinkGoBGP(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command here")
	}
	for _, pkg := range []string{"github.com/lvsadm/lvsadm", "github.com/lvsadm/lvsadm/cmd/ipvsadm"} {
		out, err := exec.Command(gobin, "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			if strings.HasPrefix(dep, "github.com/osrg/gobgp") || strings.HasPrefix(dep, "google.golang.org/grpc") {
				t.Errorf("%s links %s", pkg, dep)
			}
		}
	}
}
