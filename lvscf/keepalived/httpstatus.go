package keepalived

import (
	"fmt"
	"strconv"
	"strings"
)

// HTTP_GET's status_code becomes a POSIX regular expression on the status
// line, matched by nanny (use_regex = 1) against the start of the answer:
//
//	^HTTP/1\.[01] (2[0-9][0-9]|302)
//
// The alternatives have a canonical form (a whole hundred, a whole ten, or
// a run of units) so that Export can read them back into status_code.

const (
	statusPrefix = `^HTTP/1\.[01] (`
	statusSuffix = `)`
	minStatus    = 100
	maxStatus    = 599
)

// statusSet is a set of HTTP status codes 100..599.
type statusSet [maxStatus + 1]bool

// parseStatusCodes reads status_code arguments: codes and ranges
// ("200-299 302").
func parseStatusCodes(args []string) (*statusSet, error) {
	var s statusSet
	for _, a := range args {
		lo, hi, isRange := strings.Cut(a, "-")
		if !isRange {
			hi = lo
		}
		l, err1 := strconv.Atoi(lo)
		h, err2 := strconv.Atoi(hi)
		if err1 != nil || err2 != nil || l < minStatus || h > maxStatus || l > h {
			return nil, fmt.Errorf("%q is not a status code or range in %d-%d", a, minStatus, maxStatus)
		}
		for c := l; c <= h; c++ {
			s[c] = true
		}
	}
	return &s, nil
}

// defaultStatus is keepalived's default status_code, 200-299.
func defaultStatus() *statusSet {
	s, _ := parseStatusCodes([]string{"200-299"})
	return s
}

// regex returns the expect regular expression for the set.
func (s *statusSet) regex() string {
	var alts []string
	for h := 1; h <= 5; h++ {
		if s.all(h*100, h*100+99) {
			alts = append(alts, fmt.Sprintf("%d[0-9][0-9]", h))
			continue
		}
		for t := 0; t <= 9; t++ {
			base := h*100 + t*10
			if s.all(base, base+9) {
				alts = append(alts, fmt.Sprintf("%d%d[0-9]", h, t))
				continue
			}
			for u := 0; u <= 9; u++ {
				if !s[base+u] {
					continue
				}
				end := u
				for end < 9 && s[base+end+1] {
					end++
				}
				if end == u {
					alts = append(alts, strconv.Itoa(base+u))
				} else {
					alts = append(alts, fmt.Sprintf("%d%d[%d-%d]", h, t, u, end))
				}
				u = end
			}
		}
	}
	return statusPrefix + strings.Join(alts, "|") + statusSuffix
}

func (s *statusSet) all(lo, hi int) bool {
	for c := lo; c <= hi; c++ {
		if !s[c] {
			return false
		}
	}
	return true
}

// ranges prints the set as status_code arguments.
func (s *statusSet) ranges() []string {
	var out []string
	for c := minStatus; c <= maxStatus; c++ {
		if !s[c] {
			continue
		}
		end := c
		for end < maxStatus && s[end+1] {
			end++
		}
		if end == c {
			out = append(out, strconv.Itoa(c))
		} else {
			out = append(out, fmt.Sprintf("%d-%d", c, end))
		}
		c = end
	}
	return out
}

// statusFromRegex reads back an expression made by regex.
func statusFromRegex(expr string) (*statusSet, bool) {
	body, ok := strings.CutPrefix(expr, statusPrefix)
	if !ok {
		return nil, false
	}
	if body, ok = strings.CutSuffix(body, statusSuffix); !ok || body == "" {
		return nil, false
	}
	var s statusSet
	for _, alt := range strings.Split(body, "|") {
		var units [3][2]int
		n := 0
		for i := 0; i < len(alt); n++ {
			if n == 3 {
				return nil, false
			}
			switch {
			case alt[i] >= '0' && alt[i] <= '9':
				units[n] = [2]int{int(alt[i] - '0'), int(alt[i] - '0')}
				i++
			case alt[i] == '[' && i+4 < len(alt) && alt[i+2] == '-' && alt[i+4] == ']' &&
				alt[i+1] >= '0' && alt[i+1] <= alt[i+3] && alt[i+3] <= '9':
				units[n] = [2]int{int(alt[i+1] - '0'), int(alt[i+3] - '0')}
				i += 5
			default:
				return nil, false
			}
		}
		if n != 3 {
			return nil, false
		}
		for a := units[0][0]; a <= units[0][1]; a++ {
			for b := units[1][0]; b <= units[1][1]; b++ {
				for c := units[2][0]; c <= units[2][1]; c++ {
					code := a*100 + b*10 + c
					if code < minStatus || code > maxStatus {
						return nil, false
					}
					s[code] = true
				}
			}
		}
	}
	return &s, true
}
