package lvscf

import (
	"bytes"
	"io"
)

// Bytes prints the tree. For a file fresh from Parse it returns the input
// byte for byte; after edits, untouched lines keep their exact bytes.
func (f *File) Bytes() []byte {
	var buf bytes.Buffer
	buf.Grow(f.size())
	f.print(&buf, f.Root)
	return buf.Bytes()
}

// WriteTo writes the printed tree to w.
func (f *File) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(f.Bytes())
	return int64(n), err
}

func (f *File) size() int {
	n := 0
	for i := range f.Lines {
		n += len(f.Lines[i].Text) + len(f.Lines[i].EOL())
	}
	return n
}

func (f *File) print(buf *bytes.Buffer, b *Block) {
	if b.Open >= 0 {
		f.printLine(buf, b.Open)
	}
	for _, it := range b.Items {
		if it.Block != nil {
			f.print(buf, it.Block)
		} else {
			f.printLine(buf, it.Line)
		}
	}
	if b.Close >= 0 {
		f.printLine(buf, b.Close)
	}
}

func (f *File) printLine(buf *bytes.Buffer, i int) {
	buf.WriteString(f.Lines[i].Text)
	buf.WriteString(f.Lines[i].EOL())
}

// forEachLine visits the lines of b in print order.
func (f *File) forEachLine(b *Block, fn func(i int)) {
	f.eachLineUntil(b, func(i int) bool { fn(i); return false })
}

// eachLineUntil visits the lines of b in print order until fn returns
// true, and reports whether it did.
func (f *File) eachLineUntil(b *Block, fn func(i int) bool) bool {
	if b.Open >= 0 && fn(b.Open) {
		return true
	}
	for _, it := range b.Items {
		if it.Block != nil {
			if f.eachLineUntil(it.Block, fn) {
				return true
			}
		} else if fn(it.Line) {
			return true
		}
	}
	return b.Close >= 0 && fn(b.Close)
}
