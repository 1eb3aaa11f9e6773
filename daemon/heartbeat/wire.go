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
// multi-byte field is big-endian.
//
//	off len
//	  4   4  "LVSA"
//	  8   1  version (1)
//	  9   1  flags (bit 0: signed)
//	 10   2  reserved, zero
//	 12   4  serial_no of the sender's lvs.cf (int32)
//	 16  32  SHA-256 config digest of the sender's lvs.cf
//	 48   8  sender's wall clock, Unix nanoseconds (replay window)
//	 56   4  key id (first 4 bytes of SHA-256 of the key), zero if unsigned
//	 60  32  HMAC-SHA256 of bytes 0..59 with that key, zero if unsigned
const (
	magicLen      = 4
	trailerID     = "LVSA"
	trailerVer    = 1
	flagSigned    = 1 << 0
	offSerial     = 12
	offDigest     = 16
	offTime       = 48
	offKeyID      = 56
	offMAC        = 60
	PacketLen     = 92 // magic + trailer
	signedDataLen = offMAC
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
	Serial   int32
	Digest   Digest
	UnixNano int64
	Signed   bool
	KeyID    KeyID
	MAC      [32]byte
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

// Encode builds a datagram with lvsadm's trailer, signed with the first key
// of kr when kr has one.
func Encode(m Magic, e Ext, kr *Keyring) []byte {
	b := make([]byte, PacketLen)
	magicOrder.PutUint32(b, uint32(m))
	copy(b[4:8], trailerID)
	b[8] = trailerVer
	binary.BigEndian.PutUint32(b[offSerial:], uint32(e.Serial))
	copy(b[offDigest:offTime], e.Digest[:])
	binary.BigEndian.PutUint64(b[offTime:], uint64(e.UnixNano))
	if k := kr.current(); k != nil {
		b[9] |= flagSigned
		copy(b[offKeyID:offMAC], k.ID[:])
		mac := k.sum(b[:signedDataLen])
		copy(b[offMAC:], mac[:])
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
	if len(b) != PacketLen {
		return p, fmt.Errorf("%w: %d bytes, want %d", ErrTrailer, len(b), PacketLen)
	}
	if b[8] != trailerVer {
		return p, fmt.Errorf("%w: version %d", ErrTrailer, b[8])
	}
	e := &Ext{
		Serial:   int32(binary.BigEndian.Uint32(b[offSerial:])),
		UnixNano: int64(binary.BigEndian.Uint64(b[offTime:])),
		Signed:   b[9]&flagSigned != 0,
	}
	copy(e.Digest[:], b[offDigest:offTime])
	copy(e.KeyID[:], b[offKeyID:offMAC])
	copy(e.MAC[:], b[offMAC:])
	p.Ext = e
	return p, nil
}
