package capbuf

import (
	"bytes"
	"io"
	"os/exec"
	"testing"
)

// endless is a reader that never ends, counting what it handed out.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'y'
	}
	e.n += int64(len(p))
	return len(p), nil
}

// TestCopyFromEndlessReaderStaysBounded is the regression for issue 11
// item 1: io.Copy into a writer that embeds bytes.Buffer takes the
// Buffer's ReadFrom and never returns from an endless source. Here the
// copy is stopped after 64 MiB by a LimitReader, and the buffer must hold
// only its 4 KiB.
func TestCopyFromEndlessReaderStaysBounded(t *testing.T) {
	src := &endless{}
	b := New(4096)
	n, err := io.Copy(b, io.LimitReader(src, 64<<20))
	if err != nil {
		t.Fatal(err)
	}
	if n != 64<<20 {
		t.Fatalf("io.Copy copied %d bytes, want all 64 MiB reported as written", n)
	}
	if b.Len() != 4096 || !b.Truncated() {
		t.Fatalf("kept %d bytes (truncated %v), want 4096 and truncated", b.Len(), b.Truncated())
	}
	if cap(b.b) > 4096 {
		t.Fatalf("buffer grew to %d bytes", cap(b.b))
	}
	if _, ok := io.Writer(b).(io.ReaderFrom); ok {
		t.Fatal("Buffer implements io.ReaderFrom: io.Copy would bypass the cap")
	}
}

func TestKeepsPrefix(t *testing.T) {
	b := New(5)
	for _, s := range []string{"ab", "cd", "efgh", "ij"} {
		if n, err := b.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	if b.String() != "abcde" || !bytes.Equal(b.Bytes(), []byte("abcde")) {
		t.Fatalf("kept %q", b.String())
	}
	small := New(5)
	small.Write([]byte("abc"))
	if small.Truncated() || small.String() != "abc" {
		t.Fatalf("kept %q, truncated %v", small.String(), small.Truncated())
	}
	none := New(0)
	none.Write([]byte("x"))
	if none.Len() != 0 || !none.Truncated() {
		t.Fatal("New(0) kept bytes")
	}
}

// TestCommandPrintingForever runs a command that prints without end as
// stdout and stderr of an exec.Cmd (the daemon's active_cmd case): the
// pipe copier must keep draining (so the command is not blocked on a full
// pipe) and the buffer must stay at its cap.
func TestCommandPrintingForever(t *testing.T) {
	yes, err := exec.LookPath("yes")
	if err != nil {
		t.Skip("no yes(1)")
	}
	b := New(1024)
	// head -c ends the stream: yes writes 32 MiB through the pipe copier.
	cmd := exec.Command("sh", "-c", yes+" | head -c 33554432")
	cmd.Stdout, cmd.Stderr = b, b
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	if b.Len() != 1024 || !b.Truncated() {
		t.Fatalf("kept %d bytes", b.Len())
	}
}
