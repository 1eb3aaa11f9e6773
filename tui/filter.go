package tui

import (
	"regexp"
	"strings"
)

// textFilter returns the services view's matcher for what was typed: a
// case-insensitive regular expression, and with a leading "!" its
// opposite. It is applied as it is typed, so text that is not (yet) a
// valid expression matches literally instead of failing. inverted reports
// the "!".
func textFilter(s string) (match func(string) bool, inverted bool) {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "!"); ok {
		s, inverted = strings.TrimSpace(rest), true
	}
	if s == "" {
		return func(string) bool { return true }, false
	}
	re, err := regexp.Compile("(?i)" + s)
	if err != nil {
		re = regexp.MustCompile("(?i)" + regexp.QuoteMeta(s))
	}
	return func(t string) bool { return re.MatchString(t) != inverted }, inverted
}
