package lvscf

import (
	"bytes"
	"strings"
)

// Format prints f in piranha's own layout, the one its GUI writes
// (parse.php): global keys at the left margin, keys of virtual and failover
// blocks indented by 5 spaces, "server NAME {" lines and their "}" by 5,
// server keys by 9, and "key = value" with one blank on each side of '='.
// Key order, duplicate keys and comments are kept (comments are re-indented
// to their block); runs of blank lines shrink to one, blank lines at the
// start and end of a block or of the file go, trailing blanks go, and every
// line ends in LF (piranha's parser mishandles CR). Lines that do not parse
// are kept as written, so Format never loses text; FormatSource refuses
// files with syntax errors instead.
func Format(f *File) []byte {
	var buf bytes.Buffer
	buf.Grow(f.size())
	fm := formatter{f: f, buf: &buf}
	fm.block(f.Root, 0)
	return buf.Bytes()
}

type formatter struct {
	f       *File
	buf     *bytes.Buffer
	pending bool // a blank line is waiting to be written
	started bool // something was written in the current block
}

func indentOf(depth int) string {
	if depth < len(piranhaIndent) {
		return piranhaIndent[depth]
	}
	return strings.Repeat(" ", 4*depth+1)
}

func (fm *formatter) emit(s string) {
	if fm.pending && fm.started {
		fm.buf.WriteByte('\n')
	}
	fm.pending = false
	fm.started = true
	// A '\r' left at the end would turn into a CRLF line end when the
	// output is read back.
	fm.buf.WriteString(strings.TrimRight(s, " \t\r"))
	fm.buf.WriteByte('\n')
}

// block writes the items of b, whose keys are at depth d.
func (fm *formatter) block(b *Block, d int) {
	for _, it := range b.Items {
		if it.Block != nil {
			sub := it.Block
			open := &fm.f.Lines[sub.Open]
			if open.NumWords() == 3 {
				fm.emit(indentOf(d) + open.Word(0) + " " + open.Word(1) + " {")
			} else {
				fm.emit(indentOf(d) + strings.Join(words(open), " "))
			}
			fm.started = false
			fm.pending = false
			fm.block(sub, d+1)
			fm.pending = false
			if sub.Close >= 0 {
				fm.emit(indentOf(d) + "}")
			}
			continue
		}
		l := &fm.f.Lines[it.Line]
		switch l.Kind {
		case LineBlank:
			fm.pending = true
		case LineComment:
			fm.emit(indentOf(d) + strings.TrimRight(l.Text[l.indent:], " \t\r"))
		case LineKeyValue:
			fm.emit(indentOf(d) + l.Key() + " = " + strings.Join(l.Values(), " "))
		case LineClose:
			fm.emit(strings.TrimRight(l.Text, " \t"))
		default:
			fm.emit(l.Text)
		}
	}
}

func words(l *Line) []string {
	out := make([]string, l.NumWords())
	for i := range out {
		out[i] = l.Word(i)
	}
	return out
}
