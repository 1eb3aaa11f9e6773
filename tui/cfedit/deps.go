package cfedit

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/lvsadm/lvsadm/lvscf"
	"github.com/lvsadm/lvsadm/lvscf/apply"
	"github.com/lvsadm/lvsadm/lvscf/save"
	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/ipvsadm"
	"github.com/lvsadm/lvsadm/ops/reconcile"
)

// Deps are everything the editor does outside itself. Each func runs in a
// tea.Cmd, never in Update. FileDeps fills Load and Save for a file;
// cfdaemon.With and KernelApply add the ways to apply it.
type Deps struct {
	// Path names the file in the view and in the diff's labels.
	Path string
	// Load reads the file.
	Load func(ctx context.Context) ([]byte, error)
	// Save replaces the file with data, provided it still holds old (what
	// was loaded): a file changed by someone else since is ErrChanged and
	// is not overwritten. It must refuse content with lint errors.
	Save func(ctx context.Context, old, data []byte) error
	// Daemon finds the running daemon that serves Path and returns its
	// pid; ErrNoDaemon when none answers. Nil: there is never one.
	Daemon func(ctx context.Context) (pid int, err error)
	// Reload makes the daemon read the file again and says what came of it.
	Reload func(ctx context.Context, pid int) (string, error)
	// Apply is "lvsadm cf apply Path": it makes the kernel's table what the
	// file on disk says, or with dryRun only plans it, and returns the
	// operations as ipvsadm command lines. Nil: applying is not offered.
	Apply func(ctx context.Context, dryRun bool) ([]string, error)
}

var (
	// ErrChanged is a save refused because the file changed on disk since
	// it was loaded.
	ErrChanged = errors.New("the file changed on disk since it was loaded (ctrl+r reloads it)")
	// ErrNoDaemon says no daemon answers on the control socket.
	ErrNoDaemon = errors.New("no daemon is running")
)

// saveOptions are how the editor saves, as "lvsadm cf set" does: errors
// refused, serial_no bumped, the previous version kept as .bak.
func saveOptions() save.Options {
	return save.Options{BumpSerial: true, KeepBackup: true}
}

// FileDeps loads and saves path through lvscf/save (lock, lint, atomic
// write, .bak, serial_no bump).
func FileDeps(path string) Deps {
	return Deps{
		Path: path,
		Load: func(context.Context) ([]byte, error) { return lvscf.ReadFile(path) },
		Save: func(ctx context.Context, old, data []byte) error {
			return save.Update(ctx, path, func(cur []byte) ([]byte, error) {
				if !bytes.Equal(cur, old) {
					return nil, fmt.Errorf("save %s: %w", path, ErrChanged)
				}
				return data, nil
			}, saveOptions())
		},
	}
}

// KernelApply returns a Deps.Apply that runs the code path of "lvsadm cf
// apply path" (lvscf/apply) on the kernel open returns; the editor never
// opens the kernel itself.
func KernelApply(path string, open func() (ops.Kernel, error)) func(context.Context, bool) ([]string, error) {
	return func(ctx context.Context, dryRun bool) ([]string, error) {
		src, err := lvscf.ReadFile(path)
		if err != nil {
			return nil, err
		}
		t, err := apply.Prepare(path, src)
		if err != nil {
			return nil, err
		}
		k, err := open()
		if err != nil {
			return nil, fmt.Errorf("opening IPVS: %w", err)
		}
		defer k.Close()
		changes, err := t.Plan(ctx, k, false)
		if err != nil {
			return nil, err
		}
		var done []string
		if dryRun {
			for _, ch := range changes {
				done = append(done, ipvsadm.FormatChange(ch))
			}
			return done, nil
		}
		err = apply.Run(ctx, k, changes, func(ch reconcile.Change) { done = append(done, ipvsadm.FormatChange(ch)) })
		return done, err
	}
}
