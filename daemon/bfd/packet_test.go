package bfd

import (
	"errors"
	"testing"
)

func TestPacketRoundTrip(t *testing.T) {
	in := Packet{Version: 1, Diag: DiagNeighborDown, State: StateUp, Poll: true, CPI: true, Demand: true,
		DetectMult: 3, MyDiscr: 0xdeadbeef, YourDiscr: 7, DesiredMinTx: 100000, RequiredMinRx: 200000, RequiredMinEchoRx: 5}
	b := in.Marshal()
	if len(b) != 24 || b[0] != 0x23 || b[3] != 24 {
		t.Fatalf("wire % x", b)
	}
	// Sta=3 (Up), P and C and D: 11 1 0 1 0 1 0.
	if b[1] != 0xea {
		t.Fatalf("flags byte %#x", b[1])
	}
	out, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if out != in {
		t.Fatalf("round trip\n got %+v\nwant %+v", out, in)
	}
	fin := Packet{State: StateDown, Final: true, DetectMult: 1, MyDiscr: 1}
	if out, err := Parse(fin.Marshal()); err != nil || !out.Final || out.Poll || out.Version != 1 {
		t.Fatalf("final: %+v %v", out, err)
	}
}

// TestParseDiscards walks RFC 5880 6.8.6's discard rules that need no
// session.
func TestParseDiscards(t *testing.T) {
	good := func() Packet { return Packet{State: StateUp, DetectMult: 3, MyDiscr: 1, YourDiscr: 2} }
	cases := []struct {
		name string
		b    func() []byte
	}{
		{"short", func() []byte { p := good(); return p.Marshal()[:23] }},
		{"version 2", func() []byte { p := good(); b := p.Marshal(); b[0] = 2<<5 | b[0]&0x1f; return b }},
		{"length below 24", func() []byte { p := good(); b := p.Marshal(); b[3] = 20; return b }},
		{"length beyond payload", func() []byte { p := good(); b := p.Marshal(); b[3] = 28; return b }},
		{"auth bit", func() []byte { p := good(); p.Auth = true; return p.Marshal() }},
		{"detect mult 0", func() []byte { p := good(); p.DetectMult = 0; return p.Marshal() }},
		{"multipoint", func() []byte { p := good(); p.Multipoint = true; return p.Marshal() }},
		{"my discr 0", func() []byte { p := good(); p.MyDiscr = 0; return p.Marshal() }},
		{"your discr 0 while up", func() []byte { p := good(); p.YourDiscr = 0; return p.Marshal() }},
		{"your discr 0 while init", func() []byte { p := good(); p.YourDiscr, p.State = 0, StateInit; return p.Marshal() }},
	}
	for _, c := range cases {
		if _, err := Parse(c.b()); !errors.Is(err, ErrDiscard) {
			t.Errorf("%s: err %v, want a discard", c.name, err)
		}
	}
	for _, st := range []State{StateDown, StateAdminDown} {
		p := good()
		p.YourDiscr, p.State = 0, st
		if _, err := Parse(p.Marshal()); err != nil {
			t.Errorf("your discr 0 in %v: %v", st, err)
		}
	}
	// A longer datagram with a correct length field is fine (trailing bytes).
	p := good()
	if _, err := Parse(append(p.Marshal(), 0, 0, 0, 0)); err != nil {
		t.Errorf("trailing bytes: %v", err)
	}
}
