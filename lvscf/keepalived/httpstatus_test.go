package keepalived

import (
	"regexp"
	"strings"
	"testing"
)

func TestStatusRegex(t *testing.T) {
	for _, tc := range []struct {
		codes string
		regex string
		match []string
		miss  []string
	}{
		{"200", `^HTTP/1\.[01] (200)`, []string{"HTTP/1.0 200 OK", "HTTP/1.1 200 OK"}, []string{"HTTP/1.1 201 Created", "HTTP/2 200"}},
		{"200-299", `^HTTP/1\.[01] (2[0-9][0-9])`, []string{"HTTP/1.1 204 No"}, []string{"HTTP/1.1 301 x"}},
		{"200-299 302", `^HTTP/1\.[01] (2[0-9][0-9]|302)`, []string{"HTTP/1.1 302 Found"}, []string{"HTTP/1.1 303 x"}},
		{"200-204 310-319 404", `^HTTP/1\.[01] (20[0-4]|31[0-9]|404)`, []string{"HTTP/1.0 203 x", "HTTP/1.0 315 x"}, []string{"HTTP/1.0 205 x"}},
		{"100-599", `^HTTP/1\.[01] (1[0-9][0-9]|2[0-9][0-9]|3[0-9][0-9]|4[0-9][0-9]|5[0-9][0-9])`, []string{"HTTP/1.1 503 x"}, []string{"HTTP/1.1 600 x"}},
	} {
		s, err := parseStatusCodes(strings.Fields(tc.codes))
		if err != nil {
			t.Fatal(err)
		}
		re := s.regex()
		if re != tc.regex {
			t.Errorf("%s: regex %s, want %s", tc.codes, re, tc.regex)
		}
		rx := regexp.MustCompilePOSIX(re)
		for _, m := range tc.match {
			if !rx.MatchString(m) {
				t.Errorf("%s does not match %q", re, m)
			}
		}
		for _, m := range tc.miss {
			if rx.MatchString(m) {
				t.Errorf("%s matches %q", re, m)
			}
		}
		back, ok := statusFromRegex(re)
		if !ok || strings.Join(back.ranges(), " ") != strings.Join(s.ranges(), " ") {
			t.Errorf("%s: read back %v %v", re, ok, back)
		}
	}
	for _, bad := range []string{"99", "600", "300-200", "abc", "2xx"} {
		if _, err := parseStatusCodes([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for _, bad := range []string{"HTTP", `^HTTP/1\.[01] ()`, `^HTTP/1\.[01] (2000)`, `^HTTP/1\.[01] (2[0-9)`, `^HTTP/1\.[01] (099)`} {
		if _, ok := statusFromRegex(bad); ok {
			t.Errorf("%q read back", bad)
		}
	}
}
