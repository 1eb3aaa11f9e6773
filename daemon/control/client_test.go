package control

import (
	"context"
	"errors"
	"fmt"
	"github.com/lvsadm/lvsadm/daemon/control/controltest"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serve answers each connection on a temp socket with answer.
func serve(t *testing.T, answer string) string {
	t.Helper()
	return controltest.Serve(t, func(_ string, w io.Writer) { io.WriteString(w, answer) })
}

func TestClientAnswers(t *testing.T) {
	ctx := context.Background()
	if _, err := New(filepath.Join(t.TempDir(), "none.sock")).Status(ctx, Filter{}); !errors.Is(err, ErrNoDaemon) {
		t.Errorf("no daemon: %v", err)
	}
	cl := New(serve(t, `{"error":"no virtual server named \"x\""}`+"\n"))
	if _, err := cl.Status(ctx, Filter{Virtual: "x"}); err == nil || !strings.Contains(err.Error(), `no virtual server named "x"`) {
		t.Errorf("error answer: %v", err)
	}
	if _, err := cl.Reload(ctx); err == nil || errors.As(err, new(*RefusedError)) {
		t.Errorf("a plain error is not a refusal: %v", err)
	}
	cl = New(serve(t, `{"error":"f has lint errors:","refused":["f:1:1: error: x [y]"]}`+"\n"))
	var ref *RefusedError
	if _, err := cl.Reload(ctx); !errors.As(err, &ref) || ref.Msg != "f has lint errors:" || len(ref.Lines) != 1 {
		t.Errorf("refused: %v", err)
	}
	cl = New(serve(t, "{\n  \"pid\": 7,\n  \"serial_no\": 3\n}\n"))
	if st, err := cl.Status(ctx, Filter{}); err != nil || st.PID != 7 || st.Serial != 3 {
		t.Errorf("status: %+v %v", st, err)
	}
	if _, err := cl.Override(ctx, OverrideRequest{Action: "nuke", Target: "a"}); err == nil {
		t.Error("a bad override request was sent")
	}
}

// The client's timeout bounds the daemon's silence, not the answer's
// length: an answer that keeps coming is read to its end however long it
// takes, a cut one is named as such, and a daemon that stops writing is
// given up on.
func TestClientWaitsForALongAnswer(t *testing.T) {
	ctx := context.Background()
	const timeout = 200 * time.Millisecond
	steady := New(controltest.Serve(t, func(_ string, w io.Writer) {
		// Eight pieces 60 ms apart: 480 ms in all, more than twice the
		// timeout, and never silent for as long as it.
		for i := range 8 {
			time.Sleep(60 * time.Millisecond)
			fmt.Fprintf(w, "%s%d", strings.Repeat(" ", 1000), i)
		}
		io.WriteString(w, "\n")
	}))
	raw, err := steady.roundTrip(ctx, "status\n", timeout)
	if err != nil || len(raw) != 8*1001+1 {
		t.Errorf("a long answer that keeps coming: %d bytes, %v", len(raw), err)
	}
	cut := New(controltest.Serve(t, func(_ string, w io.Writer) { io.WriteString(w, `{"pid":7,"virt`) }))
	if _, err := cut.roundTrip(ctx, "status\n", timeout); err == nil || !strings.Contains(err.Error(), "cut short after 14 bytes") {
		t.Errorf("an answer without its end: %v", err)
	}
	stalled := New(controltest.Serve(t, func(_ string, w io.Writer) {
		io.WriteString(w, `{"pid":7,`)
		time.Sleep(3 * timeout)
		io.WriteString(w, "}\n")
	}))
	if _, err := stalled.roundTrip(ctx, "status\n", timeout); err == nil || !strings.Contains(err.Error(), "no answer from the daemon for 200ms, after 9 bytes") {
		t.Errorf("a daemon silent for longer than the timeout: %v", err)
	}
	none := New(controltest.Serve(t, func(string, io.Writer) {}))
	if _, err := none.roundTrip(ctx, "status\n", timeout); err == nil || !strings.Contains(err.Error(), "closed the connection without answering") {
		t.Errorf("no answer at all: %v", err)
	}
}
