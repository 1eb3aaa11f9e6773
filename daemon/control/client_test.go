package control

import (
	"context"
	"errors"
	"github.com/lvsadm/lvsadm/daemon/control/controltest"
	"io"
	"path/filepath"
	"strings"
	"testing"
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
