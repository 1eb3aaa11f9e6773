package cmd

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/lvscf"
	"github.com/lvsadm/lvsadm/tui"
)

// TestTUIConfigFile checks the config view's file: --config, else
// $LVSADM_CONFIG, else piranha's path, as the cf commands resolve it; and
// that tui and top (without -b) take --config.
func TestTUIConfigFile(t *testing.T) {
	const sock = "/nonexistent/lvsadm.sock"
	f := NewFactory(SystemIO())
	t.Setenv("LVSADM_CONFIG", "")
	if p := f.tuiConfig("", sock).Path; p != lvscf.DefaultPath {
		t.Errorf("default: %q, want %q", p, lvscf.DefaultPath)
	}
	t.Setenv("LVSADM_CONFIG", "/srv/lvs.cf")
	if p := f.tuiConfig("", sock).Path; p != "/srv/lvs.cf" {
		t.Errorf("with $LVSADM_CONFIG: %q", p)
	}
	d := f.tuiConfig("/tmp/other.cf", sock)
	if d.Path != "/tmp/other.cf" || d.Load == nil || d.Save == nil || d.Daemon == nil || d.Reload == nil || d.Apply == nil {
		t.Errorf("--config: path %q, or a function missing", d.Path)
	}
	for _, args := range [][]string{{"tui", "--config", "/tmp/lvs.cf"}, {"top", "--config", "/tmp/lvs.cf"}} {
		var out, errOut bytes.Buffer
		root := NewRootCmd(NewFactory(IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}))
		root.SetArgs(args)
		// No terminal: the flag is taken, then the TUI refuses to start.
		if err := root.ExecuteContext(context.Background()); !errors.Is(err, tui.ErrNotTerminal) {
			t.Errorf("%v: %v, want %v", args, err, tui.ErrNotTerminal)
		}
	}
}
