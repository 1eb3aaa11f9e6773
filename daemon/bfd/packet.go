package bfd

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// State is a BFD session state (RFC 5880 4.1), numbered as on the wire.
type State uint8

const (
	StateAdminDown State = 0
	StateDown      State = 1
	StateInit      State = 2
	StateUp        State = 3
)

// String is the name lvsadm status shows, the same words GoBGP's status
// used (up, down, init, admin_down).
func (s State) String() string {
	switch s {
	case StateAdminDown:
		return "admin_down"
	case StateDown:
		return "down"
	case StateInit:
		return "init"
	case StateUp:
		return "up"
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// Diag is a diagnostic code (RFC 5880 4.1): why a session last changed.
type Diag uint8

const (
	DiagNone             Diag = 0
	DiagTimeExpired      Diag = 1
	DiagEchoFailed       Diag = 2
	DiagNeighborDown     Diag = 3
	DiagForwardingReset  Diag = 4
	DiagPathDown         Diag = 5
	DiagConcatPathDown   Diag = 6
	DiagAdminDown        Diag = 7
	DiagRevConcatPathDwn Diag = 8
)

var diagText = [...]string{
	"none", "control detection time expired", "echo function failed",
	"neighbor signaled session down", "forwarding plane reset", "path down",
	"concatenated path down", "administratively down", "reverse concatenated path down",
}

func (d Diag) String() string {
	if int(d) < len(diagText) {
		return diagText[d]
	}
	return fmt.Sprintf("diag(%d)", uint8(d))
}

// packetLen is a control packet without authentication, the only kind
// sent or accepted here.
const packetLen = 24

// Packet is a BFD Control packet (RFC 5880 4.1). Intervals are in
// microseconds, as on the wire.
type Packet struct {
	Version    uint8 // 1; Marshal always writes 1
	Diag       Diag
	State      State
	Poll       bool
	Final      bool
	CPI        bool // Control Plane Independent
	Auth       bool // Authentication Present
	Demand     bool
	Multipoint bool
	DetectMult uint8
	MyDiscr    uint32
	YourDiscr  uint32
	// DesiredMinTx, RequiredMinRx and RequiredMinEchoRx are microseconds.
	DesiredMinTx      uint32
	RequiredMinRx     uint32
	RequiredMinEchoRx uint32
}

// Marshal is p on the wire, with version 1 and length 24.
func (p *Packet) Marshal() []byte {
	b := make([]byte, packetLen)
	b[0] = 1<<5 | uint8(p.Diag)&0x1f
	b[1] = uint8(p.State&3) << 6
	for i, f := range []bool{p.Poll, p.Final, p.CPI, p.Auth, p.Demand, p.Multipoint} {
		if f {
			b[1] |= 1 << (5 - i)
		}
	}
	b[2] = p.DetectMult
	b[3] = packetLen
	binary.BigEndian.PutUint32(b[4:], p.MyDiscr)
	binary.BigEndian.PutUint32(b[8:], p.YourDiscr)
	binary.BigEndian.PutUint32(b[12:], p.DesiredMinTx)
	binary.BigEndian.PutUint32(b[16:], p.RequiredMinRx)
	binary.BigEndian.PutUint32(b[20:], p.RequiredMinEchoRx)
	return b
}

// ErrDiscard marks a packet RFC 5880 6.8.6 says to discard.
var ErrDiscard = errors.New("bfd: packet discarded")

func discard(why string) error { return fmt.Errorf("%w: %s", ErrDiscard, why) }

// Parse decodes a control packet and applies the checks of RFC 5880
// 6.8.6 that need no session: a packet failing one is an error wrapping
// ErrDiscard. Authentication is never in use here, so a packet with the A
// bit is discarded too.
func Parse(b []byte) (Packet, error) {
	if len(b) < packetLen {
		return Packet{}, discard(fmt.Sprintf("%d bytes, shorter than a control packet", len(b)))
	}
	p := Packet{
		Version:           b[0] >> 5,
		Diag:              Diag(b[0] & 0x1f),
		State:             State(b[1] >> 6),
		Poll:              b[1]&(1<<5) != 0,
		Final:             b[1]&(1<<4) != 0,
		CPI:               b[1]&(1<<3) != 0,
		Auth:              b[1]&(1<<2) != 0,
		Demand:            b[1]&(1<<1) != 0,
		Multipoint:        b[1]&1 != 0,
		DetectMult:        b[2],
		MyDiscr:           binary.BigEndian.Uint32(b[4:]),
		YourDiscr:         binary.BigEndian.Uint32(b[8:]),
		DesiredMinTx:      binary.BigEndian.Uint32(b[12:]),
		RequiredMinRx:     binary.BigEndian.Uint32(b[16:]),
		RequiredMinEchoRx: binary.BigEndian.Uint32(b[20:]),
	}
	length := int(b[3])
	switch {
	case p.Version != 1:
		return p, discard(fmt.Sprintf("version %d", p.Version))
	case p.Auth:
		return p, discard("authentication present, none configured")
	case length < packetLen:
		return p, discard(fmt.Sprintf("length %d", length))
	case length > len(b):
		return p, discard(fmt.Sprintf("length %d beyond the %d bytes received", length, len(b)))
	case p.DetectMult == 0:
		return p, discard("detect multiplier 0")
	case p.Multipoint:
		return p, discard("multipoint bit set")
	case p.MyDiscr == 0:
		return p, discard("my discriminator 0")
	case p.YourDiscr == 0 && p.State != StateDown && p.State != StateAdminDown:
		return p, discard(fmt.Sprintf("your discriminator 0 in state %v", p.State))
	}
	return p, nil
}

// micros is d in whole microseconds, as the wire carries intervals.
func micros(d time.Duration) uint32 {
	return uint32(min(max(d.Microseconds(), 0), 1<<32-1))
}

func fromMicros(us uint32) time.Duration { return time.Duration(us) * time.Microsecond }
