package control

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseRequest(t *testing.T) {
	for _, c := range []struct {
		line string
		want Request
		err  string
	}{
		{line: "status\n", want: Request{Op: OpStatus}},
		{line: "  status  \r\n", want: Request{Op: OpStatus}},
		{line: `{"op":"status","filter":{"vip":"10.0.0.1:80","state":"down"}}`, want: Request{Op: OpStatus, Filter: &Filter{VIP: "10.0.0.1:80", State: Down}}},
		{line: `{"op":"reload"}`, want: Request{Op: OpReload}},
		{line: `{"op":"override","override":{"action":"weight","target":"web/rs1","weight":3}}`, want: Request{Op: OpOverride, Override: &OverrideRequest{Action: ActWeight, Target: "web/rs1", Weight: 3}}},
		{line: "reload", err: `unknown request "reload"`},
		{line: `{"op":"explode"}`, err: `unknown request "explode"`},
		{line: `{"op":`, err: "bad request"},
		{line: `{"op":"status","filter":{"state":"sideways"}}`, err: `unknown state "sideways"`},
		{line: `{"op":"status","filter":{"vip":"10.0.0.300"}}`, err: "is not an address"},
		{line: `{"op":"override"}`, err: "without override"},
		{line: `{"op":"override","override":{"action":"weight","target":"a/b","weight":-7}}`, err: "expected 0 to 2147483647"},
		{line: `{"op":"override","override":{"action":"weight","target":"a/b","weight":-1}}`, err: "expected 0 to 2147483647"},
		{line: `{"op":"override","override":{"action":"drain","target":" "}}`, err: "no real server named"},
		{line: `{"op":"override","override":{"action":"nuke","target":"a"}}`, err: `unknown override action "nuke"`},
	} {
		got, err := ParseRequest(c.line)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: %v, want error %q", c.line, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.line, err)
			continue
		}
		if got.Op != c.want.Op || (got.Filter == nil) != (c.want.Filter == nil) || (got.Filter != nil && *got.Filter != *c.want.Filter) ||
			(got.Override == nil) != (c.want.Override == nil) || (got.Override != nil && *got.Override != *c.want.Override) {
			t.Errorf("%q: %+v, want %+v", c.line, got, c.want)
		}
	}
}

func TestParseVIP(t *testing.T) {
	for in, want := range map[string]string{
		"10.0.0.1": "10.0.0.1 0", "10.0.0.1:80": "10.0.0.1 80", "[2001:db8::1]:443": "2001:db8::1 443",
		"2001:db8::1": "2001:db8::1 0", "::ffff:10.0.0.1": "10.0.0.1 0",
	} {
		a, p, err := ParseVIP(in)
		if err != nil || fmt.Sprintf("%s %d", a, p) != want {
			t.Errorf("%s: %v %d %v, want %s", in, a, p, err, want)
		}
	}
	for _, bad := range []string{"", "web", "10.0.0.1:http", "10.0.0.1:99999"} {
		if _, _, err := ParseVIP(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
