package daemon

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"
)

// bigStatus answers a status of n virtual servers; nothing else.
type bigStatus struct{ n int }

func (b bigStatus) status(control.Filter) (control.Status, error) {
	s := control.Status{SchemaVersion: control.StatusSchemaVersion, PID: 7}
	for i := range b.n {
		s.Virtuals = append(s.Virtuals, control.VirtualStatus{Name: fmt.Sprintf("v%d", i), Address: "10.0.0.1", Port: 80,
			Servers: []control.ServerStatus{{Name: "rs1", Address: "10.1.0.1", Port: 80, Weight: 1, State: control.Up}}})
	}
	return s, nil
}
func (bigStatus) Reload() (control.ReloadResult, error) {
	return control.ReloadResult{}, errors.New("no")
}
func (bigStatus) override(control.OverrideRequest) (control.OverrideResult, error) {
	return control.OverrideResult{}, errors.New("no")
}
func (bigStatus) directorRequest(control.DirectorRequest) (control.DirectorResult, error) {
	return control.DirectorResult{}, errors.New("no")
}

// rwPair is a request to read and a writer for the answer.
type rwPair struct {
	io.Reader
	io.Writer
}

// A status answer moves the connection's deadline ahead as it goes out
// (an answer of tens of megabytes is not cut for its length), and one
// that cannot be written is reported with how far it got.
func TestStatusAnswerMovesTheDeadline(t *testing.T) {
	var out bytes.Buffer
	var extended []time.Duration
	err := handleControl(rwPair{strings.NewReader("status\n"), &out}, bigStatus{3000}, func(d time.Duration) { extended = append(extended, d) })
	if err != nil {
		t.Fatal(err)
	}
	var st control.Status
	if err := json.Unmarshal(out.Bytes(), &st); err != nil || len(st.Virtuals) != 3000 {
		t.Fatalf("the answer: %d virtuals, %v", len(st.Virtuals), err)
	}
	// One move per write of the encoder's 64 KiB buffer.
	if want := out.Len() / (64 << 10); len(extended) < want || want < 2 {
		t.Errorf("%d bytes written with %d deadline moves, want at least %d", out.Len(), len(extended), want)
	}
	for _, d := range extended {
		if d != control.RequestTimeout {
			t.Errorf("the deadline moved by %v, want %v", d, control.RequestTimeout)
		}
	}

	failing := &cutWriter{left: 100 << 10}
	err = handleControl(rwPair{strings.NewReader("status\n"), failing}, bigStatus{3000}, func(time.Duration) {})
	if err == nil || !strings.Contains(err.Error(), "after 102400 bytes") {
		t.Errorf("a client gone mid-answer: %v", err)
	}
}

// cutWriter takes left bytes, then fails as a connection past its deadline.
type cutWriter struct{ left int }

func (w *cutWriter) Write(p []byte) (int, error) {
	if len(p) > w.left {
		n := w.left
		w.left = 0
		return n, errors.New("i/o timeout")
	}
	w.left -= len(p)
	return len(p), nil
}
