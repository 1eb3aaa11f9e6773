package heartbeat

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Magic is the first word of every heartbeat datagram.
type Magic uint32

// pulse.c's magic numbers. Only Running and Stopped are sent by an LVS
// pulse; StopMe is sent by a FOS pulse that wants the partner to yield;
// Hold and Held are accepted but their handling is disabled in pulse.c
// ("if (0)"); the FOS magics are deliberately different so that an LVS
// pulse and a FOS pulse never pair.
const (
	MagicRunning    Magic = 0xbdaddbda // HEARTBEAT_RUNNING_MAGIC: sender is active
	MagicStopped    Magic = 0xadbddabd // HEARTBEAT_STOPPED_MAGIC: sender is standby
	MagicHold       Magic = 0xdeafbabe // HEARTBEAT_HOLD_MAGIC (ignored by pulse)
	MagicHeld       Magic = 0xdeafdada // HEARTBEAT_HELD_MAGIC (ignored by pulse)
	MagicFOSRunning Magic = 0xbeefbabe // FOS_HEARTBEAT_RUNNING_MAGIC
	MagicFOSStopped Magic = 0xdeadbeef // FOS_HEARTBEAT_STOPPED_MAGIC
	MagicStopMe     Magic = 0xdeaddada // FOS_HEARTBEAT_STOPME_MAGIC
)

func (m Magic) String() string {
	switch m {
	case MagicRunning:
		return "running"
	case MagicStopped:
		return "stopped"
	case MagicHold:
		return "hold"
	case MagicHeld:
		return "held"
	case MagicFOSRunning:
		return "fos-running"
	case MagicFOSStopped:
		return "fos-stopped"
	case MagicStopMe:
		return "stop-me"
	}
	return fmt.Sprintf("0x%08x", uint32(m))
}

// magicOrder is the byte order of the magic on the wire. pulse.c sends an
// unsigned int with sendto(&magic, sizeof(magic)) and no htonl, so the
// order is the host's; piranha runs on x86 (little-endian), and so does
// every director lvsadm targets.
var magicOrder = binary.LittleEndian

// Trailer layout (lvsadm's extension, after the 4-byte magic). Every
// multi-byte field is big-endian. Version 2 is what lvsadm sends; version 1
// (lvsadm before issue 11) is still read, and sent to a partner that sends
// it, since a version 1 director refuses version 2.
//
// Version 2 (116 bytes with the magic):
//
//	off len
//	  4   4  "LVSA"
//	  8   1  version (2)
//	  9   1  flags (bit 0: signed)
//	 10   2  reserved, zero
//	 12   4  serial_no of the sender's lvs.cf (int32)
//	 16  32  SHA-256 config digest of the sender's lvs.cf
//	 48   8  boot id: random, drawn when the sender started
//	 56   8  sequence number, from 1, one more for every heartbeat sent
//	 64   8  nonce: random, fresh in every heartbeat
//	 72   8  echo: the latest nonce the sender heard from us, zero if none
//	 80   4  key id (first 4 bytes of SHA-256 of the key), zero if unsigned
//	 84  32  HMAC-SHA256 of bytes 0..83 with that key, zero if unsigned
//
// Version 1 (92 bytes): bytes 4..47 as above with version 1, then
//
//	48   8  sender's wall clock, Unix nanoseconds (replay window)
//	56   4  key id
//	60  32  HMAC-SHA256 of bytes 0..59
const (
	magicLen   = 4
	trailerID  = "LVSA"
	flagSigned = 1 << 0
	offSerial  = 12
	offDigest  = 16

	// Version 1.
	offTime     = 48
	offKeyID    = 56
	offMAC      = 60
	PacketLenV1 = 92

	// Version 2.
	offBoot     = 48
	offSeq      = 56
	offNonce    = 64
	offEcho     = 72
	offKeyIDV2  = 80
	offMACV2    = 84
	PacketLenV2 = 116

	// PacketLen is the length of what lvsadm sends by default.
	PacketLen = PacketLenV2
)

// Digest is a SHA-256 digest of a configuration.
type Digest [32]byte

// Packet is a decoded heartbeat.
type Packet struct {
	Magic Magic
	// Ext is set when the datagram carries lvsadm's trailer.
	Ext *Ext
}

// Ext is lvsadm's trailer.
type Ext struct {
	// Version is the trailer version: 2, or 1 from an older lvsadm.
	// Encode writes version 2 unless it is 1.
	Version uint8
	Serial  int32
	Digest  Digest
	// UnixNano is version 1's timestamp.
	UnixNano int64
	// BootID, Seq, Nonce and Echo are version 2's replay protection (see
	// Machine): no clock is involved.
	BootID, Seq, Nonce, Echo uint64
	Signed                   bool
	KeyID                    KeyID
	MAC                      [32]byte
}

// layout is where a trailer version puts its key id and MAC.
func layout(version uint8) (keyID, mac, length int) {
	if version == 1 {
		return offKeyID, offMAC, PacketLenV1
	}
	return offKeyIDV2, offMACV2, PacketLenV2
}

// Errors a datagram can be refused with.
var (
	ErrShort   = errors.New("heartbeat shorter than 4 bytes")
	ErrTrailer = errors.New("malformed lvsadm trailer")
)

// EncodePlain is exactly what piranha's pulse sends.
func EncodePlain(m Magic) []byte {
	b := make([]byte, magicLen)
	magicOrder.PutUint32(b, uint32(m))
	return b
}

// Encode builds a datagram with lvsadm's trailer (version 2 unless
// e.Version is 1), signed with the first key of kr when kr has one.
func Encode(m Magic, e Ext, kr *Keyring) []byte {
	ver := uint8(2)
	if e.Version == 1 {
		ver = 1
	}
	offK, offM, n := layout(ver)
	b := make([]byte, n)
	magicOrder.PutUint32(b, uint32(m))
	copy(b[4:8], trailerID)
	b[8] = ver
	binary.BigEndian.PutUint32(b[offSerial:], uint32(e.Serial))
	copy(b[offDigest:offDigest+len(e.Digest)], e.Digest[:])
	if ver == 1 {
		binary.BigEndian.PutUint64(b[offTime:], uint64(e.UnixNano))
	} else {
		binary.BigEndian.PutUint64(b[offBoot:], e.BootID)
		binary.BigEndian.PutUint64(b[offSeq:], e.Seq)
		binary.BigEndian.PutUint64(b[offNonce:], e.Nonce)
		binary.BigEndian.PutUint64(b[offEcho:], e.Echo)
	}
	if k := kr.current(); k != nil {
		b[9] |= flagSigned
		copy(b[offK:offM], k.ID[:])
		mac := k.sum(b[:offM])
		copy(b[offM:], mac[:])
	}
	return b
}

// Decode reads a datagram. Like pulse, it needs only the first four bytes;
// anything after them is read as lvsadm's trailer when it starts with
// "LVSA", and otherwise ignored, as pulse ignores it.
func Decode(b []byte) (Packet, error) {
	if len(b) < magicLen {
		return Packet{}, ErrShort
	}
	p := Packet{Magic: Magic(magicOrder.Uint32(b))}
	if len(b) < 8 || string(b[4:8]) != trailerID {
		return p, nil
	}
	if len(b) < 9 {
		return p, fmt.Errorf("%w: %d bytes, no version", ErrTrailer, len(b))
	}
	if b[8] != 1 && b[8] != 2 {
		return p, fmt.Errorf("%w: version %d", ErrTrailer, b[8])
	}
	ver := b[8]
	offK, offM, n := layout(ver)
	if len(b) != n {
		return p, fmt.Errorf("%w: %d bytes, want %d for version %d", ErrTrailer, len(b), n, ver)
	}
	e := &Ext{
		Version: ver,
		Serial:  int32(binary.BigEndian.Uint32(b[offSerial:])),
		Signed:  b[9]&flagSigned != 0,
	}
	if ver == 1 {
		e.UnixNano = int64(binary.BigEndian.Uint64(b[offTime:]))
	} else {
		e.BootID = binary.BigEndian.Uint64(b[offBoot:])
		e.Seq = binary.BigEndian.Uint64(b[offSeq:])
		e.Nonce = binary.BigEndian.Uint64(b[offNonce:])
		e.Echo = binary.BigEndian.Uint64(b[offEcho:])
	}
	copy(e.Digest[:], b[offDigest:offDigest+len(e.Digest)])
	copy(e.KeyID[:], b[offK:offM])
	copy(e.MAC[:], b[offM:])
	p.Ext = e
	return p, nil
}
