package cfedit

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/lvscf/save"
)

const httpCf = "04-http-four-servers-one-inactive.cf"

// downTo presses down until the selection is path.
func downTo(t *testing.T, m *Model, path string) {
	t.Helper()
	for range 60 {
		if it, ok := m.selected(); ok && it.path == path {
			return
		}
		press(t, m, "down")
	}
	t.Fatalf("%s not found on the screen %q", path, m.title())
}

// openWeb1 goes to the real server Web1 of LVS-HTTP by keys.
func openWeb1(t *testing.T, m *Model) {
	t.Helper()
	press(t, m, "tab", "tab", "enter") // Virtual servers, LVS-HTTP
	downTo(t, m, "virtual.LVS-HTTP.server.Web1")
	press(t, m, "enter")
}

// lineAfter returns the screen line after the one containing s.
func lineAfter(t *testing.T, screen, s string) string {
	t.Helper()
	ls := strings.Split(screen, "\n")
	for i, l := range ls {
		if strings.Contains(l, s) && i+1 < len(ls) {
			return ls[i+1]
		}
	}
	t.Fatalf("no line with %q in\n%s", s, screen)
	return ""
}

func TestEditWeightDiffShowsOnlyThatLine(t *testing.T) {
	p := writeFile(t, readCorpus(t, httpCf))
	m := newTestModel(t, p, 80, 24, Options{}, nil)
	openWeb1(t, m)
	downTo(t, m, "virtual.LVS-HTTP.server.Web1.weight")
	press(t, m, "enter", "ctrl+u", "5", "enter")
	if v, _ := m.cur.value("virtual.LVS-HTTP.server.Web1.weight"); v != "5" {
		t.Fatalf("weight = %q, want 5", v)
	}
	if !strings.Contains(m.status, "lvsadm cf set virtual.LVS-HTTP.server.Web1.weight 5") {
		t.Errorf("status %q does not give the CLI equivalent", m.status)
	}
	press(t, m, "D")
	if m.mode != modePreview {
		t.Fatalf("D: mode %d, want the preview", m.mode)
	}
	var changed []string
	for _, l := range m.preview {
		if (strings.HasPrefix(l, "-") || strings.HasPrefix(l, "+")) && !strings.HasPrefix(l, "---") && !strings.HasPrefix(l, "+++") {
			changed = append(changed, l)
		}
	}
	if want := []string{"-         weight = 2", "+         weight = 5"}; strings.Join(changed, "\n") != strings.Join(want, "\n") {
		t.Errorf("diff changes %q, want %q", changed, want)
	}
	if !strings.Contains(m.View(), "+         weight = 5") {
		t.Errorf("the preview does not show the change:\n%s", m.View())
	}
}

func TestRefusedValueChangesNothing(t *testing.T) {
	p := writeFile(t, readCorpus(t, httpCf))
	m := newTestModel(t, p, 80, 24, Options{}, nil)
	openWeb1(t, m)
	before := string(m.cur.src)
	press(t, m, "enter", "ctrl+u", "10.0.0.300", "enter") // Address
	if string(m.cur.src) != before || m.mode != modeEdit || m.inputErr == "" {
		t.Fatalf("a bad IP: mode %d, inputErr %q, changed %v", m.mode, m.inputErr, string(m.cur.src) != before)
	}
	if got := lineAfter(t, m.View(), "10.0.0.300_"); !strings.Contains(got, "refused:") {
		t.Errorf("line under the field %q, want the refusal", got)
	}
	press(t, m, "esc")
	if m.mode != modeNormal || string(m.cur.src) != before {
		t.Errorf("esc: mode %d, changed %v", m.mode, string(m.cur.src) != before)
	}
}

func TestLintMessageBesideFieldThenFixed(t *testing.T) {
	p := writeFile(t, readCorpus(t, httpCf))
	for _, w := range []int{80, 160} {
		m := newTestModel(t, p, w, 24, Options{}, nil)
		openWeb1(t, m)
		// Valid on its own (Set takes it), but the virtual's own address:
		// only the linter, on the whole file, sees that.
		press(t, m, "enter", "ctrl+u", "172.16.0.1", "enter")
		if m.mode != modeNormal || m.cur.errs != 1 {
			t.Fatalf("mode %d, %d errors, want the edit made and 1 error", m.mode, m.cur.errs)
		}
		screen := m.View()
		near := lineAfter(t, screen, "> Address")
		if w >= wideAt {
			near = screen[strings.Index(screen, "> Address"):]
			near = near[:strings.IndexByte(near, '\n')]
		}
		if !strings.Contains(near, "error: real server address 172.16.0.1 is the") {
			t.Errorf("width %d: next to the field %q, want the lint error\n%s", w, near, screen)
		}
		if !strings.Contains(screen, "[server-is-vip]") || !strings.Contains(strings.SplitN(screen, "\n", 2)[0], "1 error") {
			t.Errorf("width %d: code or count missing\n%s", w, screen)
		}
		press(t, m, "enter", "ctrl+u", "172.16.0.5", "enter")
		if m.cur.errs != 0 || strings.Contains(m.View(), "server-is-vip") || m.Dirty() {
			t.Errorf("width %d: after the fix: %d errors, dirty %v\n%s", w, m.cur.errs, m.Dirty(), m.View())
		}
	}
}

func TestSaveBumpsSerialKeepsBackup(t *testing.T) {
	orig := readCorpus(t, httpCf)
	p := writeFile(t, orig)
	m := newTestModel(t, p, 80, 24, Options{}, nil)
	openWeb1(t, m)
	downTo(t, m, "virtual.LVS-HTTP.server.Web1.weight")
	press(t, m, "enter", "ctrl+u", "5", "enter")
	press(t, m, "ctrl+s")
	if m.mode != modeConfirm || !strings.Contains(m.View(), "+         weight = 5") {
		t.Fatalf("ctrl+s: mode %d, want the diff with a confirmation\n%s", m.mode, m.View())
	}
	if b, _ := os.ReadFile(p); string(b) != orig {
		t.Fatal("saved before the confirmation")
	}
	msgs := press(t, m, "y")
	got, _ := os.ReadFile(p)
	want := strings.Replace(strings.Replace(orig, "serial_no = 31", "serial_no = 32", 1),
		"         weight = 2\n     }\n     server Web2", "         weight = 5\n     }\n     server Web2", 1)
	if string(got) != want {
		t.Errorf("saved file:\n%s\nwant\n%s", got, want)
	}
	if bak, _ := os.ReadFile(p + save.BackupSuffix); string(bak) != orig {
		t.Errorf(".bak is not the previous version")
	}
	if len(msgs) != 1 || msgs[0] != (SavedMsg{Path: p, Serial: 32}) {
		t.Errorf("messages %v, want SavedMsg serial 32", msgs)
	}
	if !strings.Contains(m.status, "serial_no 31 -> 32") || m.Dirty() {
		t.Errorf("status %q, dirty %v", m.status, m.Dirty())
	}
}

func TestLintErrorCannotBeSaved(t *testing.T) {
	orig := readCorpus(t, httpCf)
	p := writeFile(t, orig)
	m := newTestModel(t, p, 80, 24, Options{}, nil)
	openWeb1(t, m)
	press(t, m, "enter", "ctrl+u", "172.16.0.1", "enter")
	press(t, m, "ctrl+s")
	if m.mode == modeConfirm || !strings.Contains(m.status, "cannot save") {
		t.Errorf("ctrl+s with an error: mode %d, status %q", m.mode, m.status)
	}
	press(t, m, "s", "y")
	if b, _ := os.ReadFile(p); string(b) != orig {
		t.Errorf("a file with a lint error was saved")
	}
	// Behind the view, lvscf/save refuses it too.
	err := m.deps.Save(context.Background(), m.orig.src, m.cur.src)
	var le *save.LintError
	if !errors.As(err, &le) {
		t.Errorf("Save = %v, want a *save.LintError", err)
	}
	m.Update(savedMsg{err: err})
	if !strings.Contains(m.status, "not saved") {
		t.Errorf("status %q", m.status)
	}
}

func TestSaveRefusesFileChangedOnDisk(t *testing.T) {
	orig := readCorpus(t, httpCf)
	p := writeFile(t, orig)
	m := newTestModel(t, p, 80, 24, Options{}, nil)
	press(t, m, "enter", "ctrl+u", "172.16.0.9", "enter") // primary
	other := strings.Replace(orig, "keepalive = 2", "keepalive = 3", 1)
	if err := os.WriteFile(p, []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	press(t, m, "ctrl+s", "y")
	if b, _ := os.ReadFile(p); string(b) != other {
		t.Errorf("overwrote another editor's change")
	}
	if !strings.Contains(m.status, "changed on disk") || !m.Dirty() {
		t.Errorf("status %q, dirty %v", m.status, m.Dirty())
	}
}

func TestDeleteAsksFirst(t *testing.T) {
	p := writeFile(t, readCorpus(t, httpCf))
	m := newTestModel(t, p, 80, 24, Options{}, nil)
	press(t, m, "tab", "tab", "enter")
	downTo(t, m, "virtual.LVS-HTTP.server.Web4")
	before := string(m.cur.src)
	press(t, m, "x")
	if m.mode != modeConfirm || !strings.Contains(m.View(), "Delete real server Web4 of LVS-HTTP?") {
		t.Fatalf("x: mode %d\n%s", m.mode, m.View())
	}
	press(t, m, "n")
	if string(m.cur.src) != before {
		t.Fatal("deleted without y")
	}
	press(t, m, "x", "y")
	if names := m.cur.names(2, "LVS-HTTP"); len(names) != 3 || strings.Contains(string(m.cur.src), "Web4") {
		t.Fatalf("after y: servers %v", names)
	}
	if !strings.Contains(m.status, "lvsadm cf delete virtual.LVS-HTTP.server.Web4") {
		t.Errorf("status %q", m.status)
	}
	press(t, m, "u")
	if string(m.cur.src) != before {
		t.Errorf("u does not undo the delete")
	}
	// The list of virtual servers asks too.
	press(t, m, "esc", "x")
	if m.mode != modeConfirm || !strings.Contains(m.confirm.prompt, "virtual server LVS-HTTP") {
		t.Errorf("x on a virtual server: mode %d", m.mode)
	}
}

func TestAddVirtualAndRealServer(t *testing.T) {
	p := writeFile(t, readCorpus(t, httpCf))
	m := newTestModel(t, p, 80, 24, Options{}, nil)
	press(t, m, "tab", "tab", "a", "www", "enter")
	if m.virtual != "www" || !strings.Contains(m.View(), `error: virtual "www" has no address`) {
		t.Fatalf("after adding www: virtual %q\n%s", m.virtual, m.View())
	}
	press(t, m, "down", "enter", "192.0.2.10 eth0:2", "enter") // Virtual IP and device
	press(t, m, "up", "enter", "1", "enter")                   // Active
	press(t, m, "a", "web1", "enter", "enter", "10.0.1.1", "enter")
	if m.server != "web1" || m.cur.errs != 0 {
		t.Fatalf("server %q, %d errors:\n%s", m.server, m.cur.errs, m.View())
	}
	for _, want := range []string{"+virtual www {", "+     address = 192.0.2.10 eth0:2", "+     server web1 {", "+         address = 10.0.1.1"} {
		press(t, m, "D")
		if !strings.Contains(strings.Join(m.preview, "\n"), want) {
			t.Errorf("diff has no %q:\n%s", want, strings.Join(m.preview, "\n"))
		}
		press(t, m, "esc")
	}
}

func TestReadOnly(t *testing.T) {
	orig := readCorpus(t, httpCf)
	p := writeFile(t, orig)
	m := newTestModel(t, p, 80, 24, Options{ReadOnly: true}, nil)
	press(t, m, "enter")
	if m.mode != modeNormal || !strings.Contains(m.status, "read-only") {
		t.Errorf("enter in read-only: mode %d, status %q", m.mode, m.status)
	}
	press(t, m, "tab", "tab", "x", "a", "y", "ctrl+s", "y", "A", "y")
	if m.Dirty() || m.mode != modeNormal {
		t.Errorf("read-only view changed: dirty %v, mode %d", m.Dirty(), m.mode)
	}
	if b, _ := os.ReadFile(p); string(b) != orig {
		t.Errorf("read-only view wrote the file")
	}
}

// fakeApply stands in for the kernel (and for a daemon).
type fakeApply struct {
	ops    []string
	calls  []bool // dryRun of each call
	pid    int    // 0: no daemon
	reload int
}

func (f *fakeApply) deps(d *Deps) {
	d.Apply = func(_ context.Context, dryRun bool) ([]string, error) {
		f.calls = append(f.calls, dryRun)
		return f.ops, nil
	}
	d.Daemon = func(context.Context) (int, error) {
		if f.pid == 0 {
			return 0, ErrNoDaemon
		}
		return f.pid, nil
	}
	d.Reload = func(_ context.Context, pid int) (string, error) {
		f.reload = pid
		return "daemon reloaded", nil
	}
}

func TestApplyWithoutDaemonShowsPlanThenAsks(t *testing.T) {
	p := writeFile(t, readCorpus(t, httpCf))
	f := &fakeApply{ops: []string{"-a -t 172.16.0.1:80 -r 172.16.0.8:80 -g -w 1", "-d -t 172.16.0.1:80 -r 172.16.0.5:80"}}
	m := newTestModel(t, p, 80, 24, Options{}, f.deps)
	press(t, m, "enter", "ctrl+u", "172.16.0.9", "enter")
	press(t, m, "A")
	if len(f.calls) != 0 || !strings.Contains(m.status, "save first") {
		t.Fatalf("A with unsaved edits: calls %v, status %q", f.calls, m.status)
	}
	press(t, m, "ctrl+s", "y", "A")
	if len(f.calls) != 1 || !f.calls[0] || m.mode != modeConfirm {
		t.Fatalf("A: calls %v, mode %d", f.calls, m.mode)
	}
	screen := m.View()
	if !strings.Contains(screen, f.ops[1]) || !strings.Contains(screen, "1 of them deleting") {
		t.Errorf("the plan is not shown with its deletion:\n%s", screen)
	}
	press(t, m, "n")
	if len(f.calls) != 1 {
		t.Fatalf("applied without y")
	}
	press(t, m, "esc", "A")
	msgs := press(t, m, "y")
	if len(f.calls) != 3 || f.calls[2] || len(msgs) != 1 {
		t.Fatalf("y: calls %v, messages %v", f.calls, msgs)
	}
	if _, ok := msgs[0].(AppliedMsg); !ok || !strings.Contains(m.status, "applied 2 changes") {
		t.Errorf("messages %v, status %q", msgs, m.status)
	}
}

func TestApplyReloadsRunningDaemon(t *testing.T) {
	p := writeFile(t, readCorpus(t, httpCf))
	f := &fakeApply{pid: 4242}
	m := newTestModel(t, p, 80, 24, Options{}, f.deps)
	press(t, m, "A")
	if m.mode != modeConfirm || !strings.Contains(m.confirm.prompt, "pid 4242") {
		t.Fatalf("A: mode %d, status %q", m.mode, m.status)
	}
	press(t, m, "y")
	if f.reload != 4242 || len(f.calls) != 0 || m.status != "daemon reloaded" {
		t.Errorf("reload %d, apply calls %v, status %q", f.reload, f.calls, m.status)
	}
}

func TestDaemonThatCannotBeAskedBlocksApply(t *testing.T) {
	p := writeFile(t, readCorpus(t, httpCf))
	f := &fakeApply{}
	m := newTestModel(t, p, 80, 24, Options{}, func(d *Deps) {
		f.deps(d)
		d.Daemon = func(context.Context) (int, error) { return 0, os.ErrPermission }
	})
	press(t, m, "A", "y")
	if len(f.calls) != 0 || !strings.Contains(m.status, "not applying") {
		t.Errorf("calls %v, status %q", f.calls, m.status)
	}
}

func TestEnterOnDefaultWritesNothing(t *testing.T) {
	p := writeFile(t, readCorpus(t, httpCf))
	m := newTestModel(t, p, 80, 24, Options{}, nil)
	downTo(t, m, "tcp_timeout")
	press(t, m, "enter")
	if m.in.String() != "0" {
		t.Fatalf("the default is not filled in: %q", m.in.String())
	}
	press(t, m, "enter")
	if m.Dirty() || m.mode != modeNormal {
		t.Errorf("enter on the default: dirty %v, mode %d", m.Dirty(), m.mode)
	}
	press(t, m, "enter", "ctrl+u", "30", "enter", "x")
	if m.Dirty() {
		t.Errorf("x does not unset it again:\n%s", m.cur.src)
	}
}

func TestLoadErrorShows(t *testing.T) {
	m := newTestModel(t, t.TempDir()+"/none.cf", 80, 24, Options{}, nil)
	checkFrame(t, m.View()+"\n", 80, 24)
	if !m.statusErr || !strings.Contains(m.status, "none.cf") {
		t.Errorf("status %q", m.status)
	}
	press(t, m, "enter", "x", "a", "ctrl+s", "A") // nothing to act on: nothing happens
	if m.cur != nil || m.mode != modeNormal {
		t.Errorf("mode %d", m.mode)
	}
}

func TestUndoOfAnAddLeavesItsScreen(t *testing.T) {
	p := writeFile(t, readCorpus(t, httpCf))
	m := newTestModel(t, p, 80, 24, Options{}, nil)
	press(t, m, "tab", "tab", "enter", "a", "web9", "enter")
	if m.server != "web9" {
		t.Fatalf("server %q after adding web9", m.server)
	}
	press(t, m, "u")
	if m.server != "" || m.virtual != "LVS-HTTP" || m.Dirty() {
		t.Errorf("after undo: virtual %q server %q dirty %v", m.virtual, m.server, m.Dirty())
	}
	if m.Captures() {
		t.Error("Captures in normal mode")
	}
	press(t, m, "D", "x") // no changes: no preview
	if m.Captures() {
		t.Errorf("mode %d", m.mode)
	}
}

// TestBadIPInTheFileShowsAtItsFieldUntilFixed loads a file with a bad
// address: lint's message and code are under that field, saving is
// refused, and fixing the value clears it.
func TestBadIPInTheFileShowsAtItsFieldUntilFixed(t *testing.T) {
	src := strings.Replace(readCorpus(t, httpCf), "address = 172.16.0.6\n", "address = 172.16.0.600\n", 1)
	p := writeFile(t, src)
	m := newTestModel(t, p, 80, 24, Options{}, nil)
	press(t, m, "tab", "tab")
	if !strings.Contains(m.View(), "LVS-HTTP") || !strings.Contains(m.View(), "1 error") {
		t.Fatalf("the list does not count the error:\n%s", m.View())
	}
	press(t, m, "enter")
	downTo(t, m, "virtual.LVS-HTTP.server.Web2")
	press(t, m, "enter")
	under := lineAfter(t, m.View(), "> Address                      172.16.0.600")
	if !strings.Contains(under, `error: invalid address: invalid IP address or`) {
		t.Fatalf("under the field: %q\n%s", under, m.View())
	}
	if !strings.Contains(m.View(), "[bad-ip]") {
		t.Errorf("no code:\n%s", m.View())
	}
	press(t, m, "enter", "ctrl+u", "172.16.0.6", "enter")
	if m.cur.errs != 0 || strings.Contains(m.View(), "bad-ip") {
		t.Errorf("still %d errors after the fix:\n%s", m.cur.errs, m.View())
	}
	press(t, m, "ctrl+s", "y")
	if b, _ := os.ReadFile(p); !strings.Contains(string(b), "address = 172.16.0.6\n") || !strings.Contains(string(b), "serial_no = 32") {
		t.Errorf("the fix was not saved:\n%s", b)
	}
}

func TestPanelsKeepTheirPlace(t *testing.T) {
	p := writeFile(t, readCorpus(t, httpCf))
	m := newTestModel(t, p, 80, 24, Options{}, nil)
	press(t, m, "down", "down", "tab", "tab", "enter", "down")
	press(t, m, "tab")
	if it, _ := m.selected(); it.path != "service" {
		t.Errorf("back in Global settings at %q", it.path)
	}
	press(t, m, "shift+tab")
	if it, _ := m.selected(); it.path != "virtual.LVS-HTTP.address" {
		t.Errorf("back in Virtual servers at %q", it.path)
	}
}
