// Package apply makes the kernel's IPVS table what an lvs.cf says, changing
// only what differs: the code path of "lvsadm cf apply", shared with the
// TUI's Config view so that both do exactly the same thing.
package apply

import (
	"context"
	"fmt"

	"github.com/lvsadm/lvsadm/lvscf"
	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/ipvsadm"
	"github.com/lvsadm/lvsadm/ops/reconcile"
)

// Target is what a configuration asks of the kernel.
type Target struct {
	// Desired is the table the file's active virtual servers render to.
	Desired reconcile.Table
	// Owned are the services of its inactive virtual servers: the file
	// names them and says they should not exist.
	Owned []ops.ServiceKey
}

// RefusedError is a configuration that is not applied because lint finds
// errors in it; nothing was changed.
type RefusedError struct {
	Name string
	*lvscf.SyntaxError
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("refusing to apply %s: it has errors; nothing was changed", e.Name)
}

func (e *RefusedError) Unwrap() error { return e.SyntaxError }

// Prepare lints and renders src. A file with lint errors is a
// *RefusedError holding the diagnostics. It does not touch the kernel, so
// a refusal needs no privileges.
func Prepare(name string, src []byte) (*Target, error) {
	if diags := lvscf.Lint(name, src, lvscf.LintOptions{}); lvscf.HasErrors(diags) {
		return nil, &RefusedError{Name: name, SyntaxError: &lvscf.SyntaxError{Diags: diags}}
	}
	cfg, diags := lvscf.Decode(lvscf.Parse(name, src))
	if lvscf.HasErrors(diags) { // Lint reports everything Decode does; this is a safeguard
		return nil, &RefusedError{Name: name, SyntaxError: &lvscf.SyntaxError{Diags: diags}}
	}
	desired, err := lvscf.BuildTable(cfg, lvscf.TableOptions{})
	if err != nil {
		return nil, fmt.Errorf("refusing to apply %s: %w", name, err)
	}
	return &Target{Desired: desired, Owned: inactiveServices(cfg)}, nil
}

// Plan reads the kernel's table and returns the changes that make it t.
// With prune, kernel services the file does not name are deleted too.
func (t *Target) Plan(ctx context.Context, k ops.Kernel, prune bool) ([]reconcile.Change, error) {
	actual, err := ops.Read(ctx, k)
	if err != nil {
		return nil, err
	}
	return reconcile.PlanWith(t.Desired, actual, reconcile.Options{Prune: prune, Owned: t.Owned}), nil
}

// Run applies changes one at a time and calls done after each one that
// succeeded, so that a caller can say what was done even when a later one
// fails (IPVS has no transactions; those before stay applied).
func Run(ctx context.Context, k ops.Kernel, changes []reconcile.Change, done func(reconcile.Change)) error {
	for _, ch := range changes {
		if err := reconcile.Apply(ctx, k, []reconcile.Change{ch}); err != nil {
			return ipvsadm.ChangeErrorLine(err)
		}
		if done != nil {
			done(ch)
		}
	}
	return nil
}

// inactiveServices are the IPVS services of the file's inactive virtual
// servers; one without a valid address (and no fwmark) names no service.
// A service an active virtual server also makes may be listed: the plan
// deletes an owned service only when the desired table lacks it.
func inactiveServices(cfg *lvscf.Config) []ops.ServiceKey {
	var keys []ops.ServiceKey
	for i := range cfg.Virtuals {
		v := &cfg.Virtuals[i]
		if !v.Active && (v.Fwmark != 0 || v.Address.IsValid()) {
			keys = append(keys, lvscf.VirtualServiceKey(v))
		}
	}
	return keys
}
