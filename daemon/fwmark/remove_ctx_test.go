package fwmark

import (
	"context"
	"errors"
	"net/netip"
	"testing"
)

// TestRemoveStopsWithContext: a Remove whose context has ended (the
// daemon's stop budget) deletes nothing more and keeps the rules
// recorded, so a later Remove still removes them.
func TestRemoveStopsWithContext(t *testing.T) {
	f4 := &fakeTables{}
	m := &Manager{New: func(bool) (Tables, error) { return f4, nil }}
	vip := netip.MustParseAddr("10.0.0.21")
	rules := []Rule{{VIP: vip, Mark: 21, Match: mustMatch(t, "tcp 21")}, {VIP: vip, Mark: 21, Match: mustMatch(t, "udp 53")}}
	if err := m.Install(context.Background(), rules); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := m.Remove(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Remove after the end of ctx: %v", err)
	}
	if len(f4.rules) != 2 || len(m.Installed()) != 2 {
		t.Fatalf("after a cancelled Remove: tables %q, installed %v", f4.rules, m.Installed())
	}
	if err := m.Remove(context.Background()); err != nil || len(f4.rules) != 0 || len(m.Installed()) != 0 {
		t.Fatalf("second Remove: %v, tables %q", err, f4.rules)
	}
}
