package lvscf

import "strings"

// MaxLineLen is the longest line the lexer tokenizes. Longer lines are kept
// verbatim (so the file still round-trips) but are reported as an error and
// not interpreted: piranha's GUI itself writes at most 300 bytes per line,
// and refusing to tokenize giant lines keeps memory use proportional to the
// input.
const MaxLineLen = 64 << 10

// tok is one blank-separated word of a line, as byte offsets into Line.Text.
// Offsets rather than strings keep a parsed line small: a 10,000-virtual
// configuration has hundreds of thousands of lines.
type tok struct {
	start, end uint32 // the word, quotes included
	wsEnd      uint32 // end of the blanks that follow the word
}

// isBlank matches C's isblank(), which is what piranha's tokenizer uses:
// only space and tab separate words. Other control bytes are word bytes.
func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// lexResult is the word structure of one line.
type lexResult struct {
	indent int   // length of the leading blanks
	toks   []tok // words after the indent
	// unterminated is the index of a word whose opening quote has no
	// closing quote on the line, or -1.
	unterminated int
}

// lexLine splits a line (without its line ending) into words. A word that
// starts with a double or single quote runs to the next same quote character,
// blanks included, like piranha's tokenizeString; there is no escape for the
// quote character itself (nanny interprets backslash escapes later, inside
// the already delimited string). buf is reused for the words.
func lexLine(text string, buf []tok) lexResult {
	r := lexResult{toks: buf[:0], unterminated: -1}
	i := 0
	for i < len(text) && isBlank(text[i]) {
		i++
	}
	r.indent = i
	for i < len(text) {
		start := i
		if q := text[i]; q == '"' || q == '\'' {
			j := strings.IndexByte(text[i+1:], q)
			if j < 0 {
				// Unterminated: the word is the rest of the line minus
				// trailing blanks, so the line still round-trips.
				end := len(text)
				for end > start+1 && isBlank(text[end-1]) {
					end--
				}
				r.unterminated = len(r.toks)
				r.toks = append(r.toks, tok{uint32(start), uint32(end), uint32(len(text))})
				return r
			}
			i += j + 2
		} else {
			for i < len(text) && !isBlank(text[i]) {
				// A quote in the middle of a word starts a new word only
				// after a blank, as in piranha; "a"b is one odd word.
				i++
			}
		}
		end := i
		for i < len(text) && isBlank(text[i]) {
			i++
		}
		r.toks = append(r.toks, tok{uint32(start), uint32(end), uint32(i)})
	}
	return r
}

// isQuoted reports whether a word is a complete quoted string.
func isQuoted(w string) bool {
	return len(w) >= 2 && (w[0] == '"' || w[0] == '\'') && w[len(w)-1] == w[0]
}

// unquote strips one level of matching quotes. Escapes are left as written:
// they are interpreted by the health checker, not by the parser.
func unquote(w string) string {
	if isQuoted(w) {
		return w[1 : len(w)-1]
	}
	return w
}
