package keepalived

import (
	"errors"
	"strings"
)

// token is a word of a line. Braces that are not quoted are tokens of
// their own even without blanks around them ("url{"), as keepalived's
// reader splits them.
type token struct {
	text   string
	quoted bool // some part was quoted: a quoted "{" is a word, not a brace
}

func (t token) is(s string) bool { return !t.quoted && t.text == s }

var errUnterminated = errors.New("unterminated quoted string")

// isSpace is keepalived's white space (WHITE_SPACE_STR in lib/parser.c).
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r' || c == '\n'
}

// lexLine splits one line into words. '#' and '!' start a comment anywhere
// outside quotes. Quotes (" or ') group blanks into a word and are
// removed; adjacent quoted and unquoted parts form one word
// ('abcd" efg "h' is "abcd efg h"). Inside quotes a backslash escapes the
// next character, with the usual C letters (\n \r \t) translated.
func lexLine(line string) ([]token, error) {
	var toks []token
	var cur strings.Builder
	inWord, quoted := false, false
	flush := func() {
		if inWord {
			toks = append(toks, token{text: cur.String(), quoted: quoted})
		}
		cur.Reset()
		inWord, quoted = false, false
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case isSpace(c):
			flush()
		case c == '#' || c == '!':
			flush()
			return toks, nil
		case c == '{' || c == '}':
			flush()
			toks = append(toks, token{text: string(c)})
		case c == '"' || c == '\'':
			q := c
			inWord, quoted = true, true
			closed := false
			for i++; i < len(line); i++ {
				c = line[i]
				if c == q {
					closed = true
					break
				}
				if c == '\\' && i+1 < len(line) {
					i++
					cur.WriteByte(unescape(line[i]))
					continue
				}
				cur.WriteByte(c)
			}
			if !closed {
				return toks, errUnterminated
			}
		default:
			inWord = true
			cur.WriteByte(c)
		}
	}
	flush()
	return toks, nil
}

func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	}
	return c
}

// stripComment returns line up to its first '#' or '!' outside quotes
// (used for include lines, which are read whole).
func stripComment(line string) string {
	var q byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == '#' || c == '!':
			return line[:i]
		}
	}
	return line
}
