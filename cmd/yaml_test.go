package cmd

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/lvsadm/lvsadm/ops"
)

// TestWriteYAMLParses checks the hand-written encoder against a real YAML
// parser: what we write must decode to the same data as the JSON encoding.
func TestWriteYAMLParses(t *testing.T) {
	table := ops.TableView{
		Version: "1.2.1", ConnTabSize: 4096,
		Services: []ops.ServiceView{
			{Family: "inet", Protocol: "tcp", Address: "10.0.0.1", Port: 80, Scheduler: "rr",
				Persistent: true, Timeout: 300, Netmask: "255.255.255.255",
				Stats: ops.CounterView{Conns: 12, InBytes: 1 << 40},
				Destinations: []ops.DestinationView{
					{Address: "10.0.1.1", Port: 8080, Forward: "masq", Weight: 2},
					{Address: "2001:db8::1", Port: 80, Forward: "tunnel", TunnelType: "gue", TunnelPort: 6080, TunnelFlags: []string{"csum"}},
				}},
			{Family: "inet6", FWMark: 7, Scheduler: "wlc", PEName: "sip", Destinations: []ops.DestinationView{}},
		},
	}
	var out bytes.Buffer
	if err := writeYAML(&out, table); err != nil {
		t.Fatal(err)
	}
	var fromYAML, fromJSON any
	if err := yaml.Unmarshal(out.Bytes(), &fromYAML); err != nil {
		t.Fatalf("our YAML does not parse: %v\n%s", err, out.String())
	}
	js, _ := json.Marshal(table)
	if err := json.Unmarshal(js, &fromJSON); err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(normalise(fromYAML))
	b, _ := json.Marshal(fromJSON)
	if !bytes.Equal(a, b) {
		t.Errorf("YAML decodes to\n%s\nwant (JSON)\n%s\nYAML was:\n%s", a, b, out.String())
	}
}

// normalise turns YAML's integer types into float64, as JSON decoding has them.
func normalise(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalise(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalise(e)
		}
	case int:
		return float64(x)
	}
	return v
}

func TestYAMLString(t *testing.T) {
	for in, want := range map[string]string{
		"rr": "rr", "": `""`, "true": `"true"`, "300": `"300"`, "a:b": `"a:b"`,
		"2001:db8::1": `"2001:db8::1"`, "-x": `"-x"`, " x": `" x"`, "10.0.0.1": "10.0.0.1",
	} {
		if got := yamlString(in); got != want {
			t.Errorf("yamlString(%q) = %s, want %s", in, got, want)
		}
	}
	if strings.Contains(yamlString("a\nb"), "\n") {
		t.Error("newline not escaped")
	}
}
