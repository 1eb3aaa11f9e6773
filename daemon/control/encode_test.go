package control

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// TestEncodeStatusIsEncode: the streamed answer is json.Encoder's, byte
// for byte, with no virtual, one, several, and characters that need
// escaping.
func TestEncodeStatusIsEncode(t *testing.T) {
	base := Status{SchemaVersion: StatusSchemaVersion, PID: 7, Config: "/etc/<lvs>.cf", Serial: 3, LoadedAt: time.Unix(5, 0).UTC(), VIPs: []string{"10.0.0.1/32 dev eth0:1"},
		Events: []Event{{Kind: "config", Message: `reloaded "x" & <y>`}}, Mode: "pair"}
	one := VirtualStatus{Name: "web", Active: true, Address: "10.0.0.1", Port: 80, Protocol: "tcp",
		Servers: []ServerStatus{{Name: "rs1", Address: "10.1.0.1", Port: 80, Weight: 1, State: Up}}}
	for name, vs := range map[string][]VirtualStatus{"nil": nil, "empty": {}, "one": {one}, "three": {one, one, one}} {
		s := base
		s.Virtuals = vs
		var want bytes.Buffer
		if err := json.NewEncoder(&want).Encode(s); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := EncodeStatus(&got, s); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%s:\n got %s\nwant %s", name, got.String(), want.String())
		}
	}
}
