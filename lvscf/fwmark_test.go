package lvscf

import (
	"errors"
	"strings"
	"testing"
)

func TestParseFwmarkMatch(t *testing.T) {
	for _, tt := range []struct {
		in, want string // want: the String() form, or "error: substring"
	}{
		{"tcp 21,10000:20000", "tcp 21,10000:20000"},
		{"  udp   53 ", "udp 53"},
		{"tcp 80:80", "tcp 80"},
		{"tcp 20000:10000", "error: inverted"},
		{"sctp 21", "error: not tcp or udp"},
		{"tcp", "error: expected"},
		{"tcp 21 22", "error: expected"},
		{"tcp 0", "error: out of range"},
		{"tcp 65536", "error: out of range"},
		{"tcp 021", "error: leading zero"},
		{"tcp 21,", "error: empty port"},
		{"tcp ftp", "error: not a number"},
		{"tcp 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15:16", "error: at most 15"},
		{"tcp 1,2,3,4,5,6,7,8,9,10,11,12,13,14:15", "tcp 1,2,3,4,5,6,7,8,9,10,11,12,13,14:15"},
	} {
		m, err := ParseFwmarkMatch(tt.in)
		if want, isErr := strings.CutPrefix(tt.want, "error: "); isErr {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%q: error %v, want %q", tt.in, err, want)
			}
			continue
		}
		if err != nil || m.String() != tt.want {
			t.Errorf("%q: %q, %v; want %q", tt.in, m.String(), err, tt.want)
		}
	}
	if _, err := ParseFwmarkMatch("udp 9:1"); !errors.Is(err, ErrPortRangeInverted) {
		t.Errorf("inverted: %v", err)
	}
}

func TestDiffFwmarkMatch(t *testing.T) {
	a := with(t, "port = 80", "port = 80\n     fwmark = 21\n     persistent = 60\n     fwmark_match = \"tcp 21\"")
	b := strings.Replace(a, `"tcp 21"`, `"tcp 21,10000:20000"`, 1)
	ca, _ := Decode(Parse("a", []byte(a)))
	cb, _ := Decode(Parse("b", []byte(b)))
	ch := Diff(ca, cb)
	if len(ch) != 1 || ch[0].Path != "virtual.www.fwmark_match" || ch[0].New != "tcp 21,10000:20000" {
		t.Errorf("diff: %+v", ch)
	}
}
