package heartbeat

import (
	"testing"
	"time"
)

// FuzzReceive: no datagram, however malformed, may panic the machine or
// make a keyed machine accept an unsigned or forged heartbeat.
func FuzzReceive(f *testing.F) {
	f.Add(EncodePlain(MagicRunning))
	f.Add(Encode(MagicStopped, Ext{Serial: 1, UnixNano: t0.UnixNano()}, nil))
	f.Add(Encode(MagicStopped, Ext{Serial: 1, UnixNano: t0.UnixNano()}, NewKeyring(secretA)))
	// Version 1 (an older lvsadm), signed and not, and version 2 with the
	// replay fields set.
	f.Add(Encode(MagicRunning, Ext{Version: 1, Serial: 1, UnixNano: t0.UnixNano()}, nil))
	f.Add(Encode(MagicRunning, Ext{Version: 1, Serial: 1, UnixNano: t0.UnixNano()}, NewKeyring(secretA)))
	f.Add(Encode(MagicRunning, Ext{BootID: 1, Seq: 1, Nonce: 2, Echo: 3}, NewKeyring(secretA)))
	f.Add(append(EncodePlain(MagicRunning), "LVSA\x02"...))
	f.Add([]byte("LVSA"))
	f.Add(append(EncodePlain(MagicRunning), "LVSA\x01"...))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, keyed := range []bool{false, true} {
			c := baseConfig(false)
			if keyed {
				c.Keys = NewKeyring(secretA)
			}
			m, _, err := New(c, t0)
			if err != nil {
				t.Fatal(err)
			}
			m.Receive(t0.Add(time.Second), Datagram{From: peerPub, Data: data})
			if keyed && m.Status().Peer.Heard {
				// Only a correctly signed packet may be heard; a fuzzer
				// cannot forge HMAC-SHA256, so any accepted input must be
				// one of the signed seeds.
				if p, err := Decode(data); err != nil || p.Ext == nil || c.Keys.verify(data, p.Ext) != nil {
					t.Fatalf("keyed machine accepted % x", data)
				}
			}
		}
	})
}
