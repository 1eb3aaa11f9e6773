// Package cfedit is the TUI's Config view: an editor of one lvs.cf with
// piranha's GUI panels as forms (Global settings, Redundancy, Virtual
// servers with their Virtual server, Real server and Monitoring scripts
// fields), live validation by lvscf's own linter, a diff before saving,
// saving through lvscf/save, and applying the saved file (reloading the
// daemon, or what "lvsadm cf apply" does). docs/tui.md "Config view"
// describes it for users.
//
// Every edit goes through lvscf's path API (File.Set, Add, Delete) on a
// copy of the tree, which is then linted whole: a value Set refuses
// changes nothing and its reason shows under the field; diagnostics on
// the file show beside or under the field whose line they are about. The
// view never reads or writes anything itself: Deps holds the functions
// that do, and they run in tea.Cmds.
//
// # Embedding it in the top-level model
//
//	deps := cfdaemon.With(cfedit.FileDeps(path), control.DefaultSocket) // package cfedit/cfdaemon
//	deps.Apply = cfedit.KernelApply(path, openKernel) // nil: no apply without a daemon
//	cfg := cfedit.New(ctx, deps, cfedit.Options{ReadOnly: ro, Profile: profile})
//
// The parent:
//   - returns cfg.Init() from its own Init (or when the view is first
//     shown): it loads the file;
//   - calls cfg.SetSize(w, h) with the room it gives the view (the view
//     draws exactly h lines: tabs, title, body, detail, status, key hints);
//   - while the Config view is shown, sends it every key and paste
//     message; when cfg.Captures() is false it may keep its own global
//     keys (ctrl+c, q, the digits that switch views) but tab, shift+tab
//     (the view's panels) and ctrl+r (read the file again) belong to the
//     view, and so do the letters of its actions (a x u D A); when
//     Captures() is true every key is the view's (a prompt, a y/n
//     question, the preview), except ctrl+c;
//   - sends it every message it does not handle itself, whichever view is
//     shown: the results of the view's commands come back that way;
//   - sends it tea.ColorProfileMsg;
//   - draws cfg.View() (a string) where the view goes.
//
// The view emits SavedMsg after a successful save and AppliedMsg after a
// successful apply or daemon reload, for the parent to refresh what it
// shows; Dirty reports unsaved edits, for a parent that asks before
// quitting.
package cfedit
