package ipvsadm

import (
	"bufio"
	"io"
)

// This file reads -R's input as ipvsadm's config_stream_read does: a line
// is the words separated by spaces, tabs and carriage returns up to a
// newline. Its quirks are kept:
//
//   - a word "ipvsadm" is dropped wherever it stands, so saved lines may
//     start with the program name (but "/sbin/ipvsadm" is a word like any);
//   - there are no comments: "#" is a word like any (ipvsadm's check for
//     one never fires);
//   - a word longer than maxWord is cut into words of maxWord bytes;
//   - a last line that ends in white space but no newline is dropped.

const maxWord = 4096 // MAX_LINE_LENGTH

// lineReader splits a restore stream into lines of words.
type lineReader struct {
	r     *bufio.Reader
	token []byte
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 64*1024)}
}

func isWordSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

// next returns the words of the next line, or ok false at the end of the
// stream. A line may have no words.
func (lr *lineReader) next() (words []string, ok bool) {
	for {
		// fscanf("%4096[^ \t\n\r]%1[ \t\n\r]")
		lr.token = lr.token[:0]
		var err error
		var c byte
		for len(lr.token) < maxWord {
			c, err = lr.r.ReadByte()
			if err != nil {
				break
			}
			if isWordSpace(c) || c == '\n' {
				_ = lr.r.UnreadByte()
				break
			}
			lr.token = append(lr.token, c)
		}
		if len(lr.token) == 0 {
			if err != nil {
				// EOF before anything: the end of the stream.
				return words, len(words) > 0
			}
			// A blank: skip spaces; a newline ends the line, the end of
			// the stream drops it.
			for {
				c, err = lr.r.ReadByte()
				if err != nil {
					return nil, false
				}
				if c == '\n' {
					return words, true
				}
				if !isWordSpace(c) {
					_ = lr.r.UnreadByte()
					break
				}
			}
			continue
		}
		if w := string(lr.token); w != "ipvsadm" {
			words = append(words, w)
		}
		c, err = lr.r.ReadByte()
		if err != nil {
			continue // the next read finds the end
		}
		if c == '\n' {
			return words, true
		}
		if !isWordSpace(c) {
			_ = lr.r.UnreadByte() // a word cut at maxWord goes on
		}
	}
}

// restore is ipvsadm's restore_table: every line of stdin with at least one
// word runs as a command line. Failing lines are reported and the restore
// goes on; the result is that of the last line. Errors that make ipvsadm
// exit (bad options, bad values) end the restore at once.
func (s *session) restore(readingStdin bool) (int, *exitError) {
	if readingStdin {
		return 0, s.ps.tryHelp()
	}
	lr := newLineReader(s.stdin)
	result := 0
	argv := []string{s.prog}
	for {
		words, ok := lr.next()
		if !ok {
			break
		}
		if len(words) == 0 {
			continue
		}
		argv = append(argv[:1], words...)
		r, err := s.processOptions(argv, true)
		if err != nil {
			return 0, err
		}
		result = r
	}
	return result, nil
}
