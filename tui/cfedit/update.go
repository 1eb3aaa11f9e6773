package cfedit

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/lvsadm/lvsadm/lvscf"
	"github.com/lvsadm/lvsadm/lvscf/apply"
	"github.com/lvsadm/lvsadm/lvscf/save"
)

// Update turns a message into the next state and the commands to run.
func (m *Model) Update(msg tea.Msg) (*Model, tea.Cmd) {
	cmd := m.update(msg)
	// Any message may change what the screen holds or how tall the
	// status is: keep the selection in view.
	m.clamp()
	return m, cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.ColorProfileMsg:
		m.st = newStyles(msg.Profile)
	case loadedMsg:
		m.loaded(msg)
	case savedMsg:
		return m.saved(msg)
	case daemonMsg:
		return m.gotDaemon(msg)
	case planMsg:
		m.gotPlan(msg)
	case appliedMsg:
		return m.applied(msg)
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.PasteMsg:
		m.paste(msg.Content)
	}
	return nil
}

func (m *Model) loaded(msg loadedMsg) {
	m.mode = modeNormal
	if msg.err != nil {
		m.errStatus(msg.err)
		return
	}
	m.orig = newTree(m.name(), msg.src)
	m.cur = m.orig
	m.undo = nil
	m.clamp()
	if msg.why != "" {
		m.setStatus(msg.why, false)
	}
}

func (m *Model) saved(msg savedMsg) tea.Cmd {
	m.mode = modeNormal
	var le *save.LintError
	switch {
	case errors.As(msg.err, &le):
		m.setStatus(fmt.Sprintf("error: not saved: the file has %s (lint refuses it)", counts(countErrors(le.Diags), 0)), true)
		return nil
	case msg.err != nil:
		m.setStatus("error: not saved: "+firstLine(msg.err.Error()), true)
		return nil
	case msg.rerr != nil:
		m.setStatus("saved "+m.deps.Path+", but reading it back failed: "+firstLine(msg.rerr.Error()), true)
		return nil
	}
	m.orig = newTree(m.name(), msg.src)
	m.cur = m.orig
	m.undo = nil
	m.clamp()
	from := msg.from
	if from == "" {
		from = "none"
	}
	m.setStatus(fmt.Sprintf("saved %s: serial_no %s -> %s, previous version in %s%s; A applies it", m.deps.Path, from, msg.to, m.deps.Path, save.BackupSuffix), false)
	serial := 0
	fmt.Sscan(msg.to, &serial)
	out := SavedMsg{Path: m.deps.Path, Serial: serial}
	return func() tea.Msg { return out }
}

func countErrors(ds []lvscf.Diagnostic) int {
	n := 0
	for _, d := range ds {
		if d.Severity == lvscf.SevError {
			n++
		}
	}
	return n
}

func (m *Model) gotDaemon(msg daemonMsg) tea.Cmd {
	m.mode = modeNormal
	switch {
	case msg.err == nil:
		pid := msg.pid
		m.ask(fmt.Sprintf("Reload the running daemon (pid %d), as systemctl reload does? [y/N]", pid), func() tea.Cmd { return m.reloadCmd(pid) })
		return nil
	case !errors.Is(msg.err, ErrNoDaemon):
		// A daemon may be running that we cannot talk to: applying
		// behind its back would fight it over the table.
		m.setStatus("error: "+firstLine(msg.err.Error())+"; not applying", true)
		return nil
	case m.deps.Apply == nil:
		m.setStatus("no daemon is running; apply the file with lvsadm cf apply "+m.deps.Path, false)
		return nil
	}
	return m.planCmd()
}

func (m *Model) gotPlan(msg planMsg) {
	m.mode = modeNormal
	var refused *apply.RefusedError
	switch {
	case errors.As(msg.err, &refused):
		m.setStatus("error: "+refused.Error(), true)
		return
	case msg.err != nil:
		m.errStatus(msg.err)
		return
	case len(msg.ops) == 0:
		m.setStatus("no daemon is running, and the kernel's table already matches "+m.deps.Path+": nothing to apply", false)
		return
	}
	drops := 0
	for _, op := range msg.ops {
		if strings.HasPrefix(op, "-D") || strings.HasPrefix(op, "-d") || strings.HasPrefix(op, "-C") {
			drops++
		}
	}
	m.openPreview("No daemon is running; lvsadm cf apply would do:", msg.ops)
	warn := ""
	if drops > 0 {
		warn = fmt.Sprintf(", %d of them deleting (drops their connections)", drops)
	}
	m.ask(fmt.Sprintf("Apply these %s to the kernel%s? [y/N]", plural(len(msg.ops), "change"), warn), m.applyCmd)
}

func (m *Model) applied(msg appliedMsg) tea.Cmd {
	m.mode = modeNormal
	if len(msg.ops) > 0 {
		m.openPreview("done:", msg.ops)
	}
	if msg.err != nil {
		text := "error: " + firstLine(msg.err.Error())
		if len(msg.ops) > 0 {
			text += fmt.Sprintf(" (after %s, which stay applied; A tries again)", plural(len(msg.ops), "change"))
		}
		m.setStatus(text, true)
		return nil
	}
	m.setStatus(msg.text, false)
	out := AppliedMsg{Summary: msg.text}
	return func() tea.Msg { return out }
}

// ask waits for y before running yes.
func (m *Model) ask(prompt string, yes func() tea.Cmd) {
	m.confirm = &pending{prompt: prompt, yes: yes}
	m.mode = modeConfirm
}

// key handles a key press according to the mode.
func (m *Model) key(k tea.KeyPressMsg) tea.Cmd {
	switch m.mode {
	case modeLoading, modeBusy:
		return nil
	case modeEdit, modeName:
		return m.inputKey(k)
	case modeConfirm:
		p := m.confirm
		m.confirm = nil
		m.mode = modeNormal
		if len(m.preview) > 0 {
			m.mode = modePreview
		}
		if key.Matches(k, m.keys.Yes) {
			return p.yes()
		}
		m.setStatus("cancelled", false)
		return nil
	case modePreview:
		return m.previewKey(k)
	}
	km := m.keys
	if m.cur == nil {
		if key.Matches(k, km.Reload) {
			return m.loadCmd("")
		}
		return nil
	}
	if d, ok := km.moveBy(k, m.bodyHeight()); ok {
		m.cursor += d
		return nil
	}
	switch {
	case key.Matches(k, km.NextPanel):
		m.setPanel((m.panel + 1) % numPanels)
	case key.Matches(k, km.PrevPanel):
		m.setPanel((m.panel + numPanels - 1) % numPanels)
	case key.Matches(k, km.Open):
		return m.enter()
	case key.Matches(k, km.Back):
		m.back()
	case key.Matches(k, km.Add):
		m.add()
	case key.Matches(k, km.Delete):
		m.remove()
	case key.Matches(k, km.Undo):
		m.undoEdit()
	case key.Matches(k, km.Diff):
		m.openDiff()
	case key.Matches(k, km.Save):
		m.openDiff()
		if m.mode == modePreview {
			m.askSave()
		}
	case key.Matches(k, km.Apply):
		return m.startApply()
	case key.Matches(k, km.Reload):
		if m.Dirty() {
			m.ask("Discard the unsaved changes and read the file again? [y/N]", func() tea.Cmd { return m.loadCmd("read " + m.deps.Path + " again") })
			return nil
		}
		return m.loadCmd("read " + m.deps.Path + " again")
	}
	return nil
}

// setPanel switches panels; each keeps its place (the open virtual or
// real server stays open, the cursor where it was).
func (m *Model) setPanel(p panel) {
	m.cursors[m.panel] = m.cursor
	m.panel = p
	m.cursor, m.offset = m.cursors[p], 0
	m.clamp()
}

// enter edits the field under the cursor or opens the block.
func (m *Model) enter() tea.Cmd {
	it, ok := m.selected()
	if !ok {
		return nil
	}
	if it.kind == itemBlock {
		if m.virtual == "" {
			m.virtual = it.name
		} else {
			m.server = it.name
		}
		m.cursor, m.offset = 0, 0
		m.clamp()
		return nil
	}
	if m.readOnly("edit") {
		return nil
	}
	v, set := m.cur.value(it.path)
	if !set {
		v = m.cur.eff[it.path]
	}
	m.mode, m.editPath, m.inputErr = modeEdit, it.path, ""
	m.in.set(v)
	return nil
}

// back goes up one level: real server, virtual server, list.
func (m *Model) back() {
	switch {
	case m.server != "":
		p := lvscf.Path{Kind: lvscf.BlockServer, Block: m.virtual, Server: m.server}.String()
		m.server = ""
		m.cursor, m.offset = 0, 0
		m.selectPath(p)
	case m.virtual != "":
		p := lvscf.Path{Kind: lvscf.BlockVirtual, Block: m.virtual}.String()
		m.virtual = ""
		m.cursor, m.offset = 0, 0
		m.selectPath(p)
	}
	m.clamp()
}

func (m *Model) readOnly(what string) bool {
	if m.opts.ReadOnly {
		m.setStatus("read-only: cannot "+what, true)
		return true
	}
	return false
}

// add asks for the name of a new virtual server (in the list) or real
// server (in a virtual server).
func (m *Model) add() {
	if m.panel != panelVirtuals || m.readOnly("add") {
		return
	}
	var p lvscf.Path
	if m.virtual == "" {
		p = lvscf.Path{Kind: lvscf.BlockVirtual, Block: "NAME"}
	} else {
		p = lvscf.Path{Kind: lvscf.BlockServer, Block: m.virtual, Server: "NAME"}
	}
	m.mode, m.editPath, m.inputErr = modeName, p.String(), ""
	m.in.set("")
}

// remove deletes the block under the cursor after y, or unsets the field
// under the cursor (it goes back to its default; u undoes it).
func (m *Model) remove() {
	it, ok := m.selected()
	if !ok || m.readOnly("delete") {
		return
	}
	if it.kind == itemField {
		if _, set := m.cur.value(it.path); !set {
			m.setStatus(it.path+" is not set", false)
			return
		}
		m.apply(func(f *lvscf.File) error { return f.Delete(it.path) },
			fmt.Sprintf("removed %s: back to its default (lvsadm cf delete %s; unsaved)", it.path, it.path))
		return
	}
	what := "virtual server " + it.name
	if m.virtual != "" {
		what = "real server " + it.name + " of " + m.virtual
	}
	m.ask(fmt.Sprintf("Delete %s? Once saved and applied, its traffic stops. [y/N]", what), func() tea.Cmd {
		m.apply(func(f *lvscf.File) error { return f.Delete(it.path) },
			fmt.Sprintf("deleted %s (lvsadm cf delete %s; unsaved)", what, it.path))
		m.clamp()
		return nil
	})
}

// apply makes an edit on a copy of the tree; what the edit did goes to the
// status line, a refusal too, and then nothing changes.
func (m *Model) apply(fn func(*lvscf.File) error, did string) error {
	t, err := m.cur.edit(fn)
	if err != nil {
		m.errStatus(err)
		return err
	}
	m.undo = append(m.undo, m.cur)
	if len(m.undo) > maxUndo {
		m.undo = m.undo[1:]
	}
	m.cur = t
	m.setStatus(did, false)
	return nil
}

func (m *Model) undoEdit() {
	if len(m.undo) == 0 {
		m.setStatus("nothing to undo", false)
		return
	}
	m.cur = m.undo[len(m.undo)-1]
	m.undo = m.undo[:len(m.undo)-1]
	m.setStatus("undone", false)
	m.clamp()
}

// inputKey edits the value or name being typed.
func (m *Model) inputKey(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(k, m.keys.Cancel):
		m.mode, m.inputErr = modeNormal, ""
		m.setStatus("cancelled", false)
	case key.Matches(k, m.keys.Set):
		if m.mode == modeName {
			m.nameEntered()
		} else {
			m.valueEntered()
		}
	default:
		m.in.key(k, m.keys.Line)
	}
	return nil
}

// paste types pasted text in a prompt; elsewhere it does nothing.
func (m *Model) paste(text string) {
	if m.mode == modeEdit || m.mode == modeName {
		m.in.insert(text)
	}
}

// valueEntered sets the key through lvscf's Set, which refuses what lint
// would call an error in the value itself; the input then stays open with
// the reason. An empty value removes the key.
func (m *Model) valueEntered() {
	p, in := m.editPath, strings.TrimSpace(m.in.String())
	old, set := m.cur.value(p)
	var err error
	switch {
	case in == "" && !set:
		m.mode = modeNormal
		m.setStatus(p+" stays unset", false)
		return
	case in == "":
		err = m.apply(func(f *lvscf.File) error { return f.Delete(p) },
			fmt.Sprintf("removed %s: back to its default (lvsadm cf delete %s; unsaved)", p, p))
	case set && in == old:
		m.mode = modeNormal
		m.setStatus("unchanged", false)
		return
	case !set && in == m.cur.eff[p]:
		// Enter on the default that was filled in: writing it out
		// would change the file without changing anything.
		m.mode = modeNormal
		m.setStatus(p+" stays unset (default "+in+")", false)
		return
	default:
		err = m.apply(func(f *lvscf.File) error { return f.Set(p, in) },
			fmt.Sprintf("set %s = %s (lvsadm cf set %s %s; unsaved)", p, in, p, shellQuote(in)))
	}
	if err != nil {
		// The field names the path already.
		m.inputErr = strings.TrimPrefix(firstLine(err.Error()), "set "+p+": ")
		m.setStatus("error: refused, nothing changed: "+m.inputErr, true)
		return
	}
	m.mode, m.inputErr = modeNormal, ""
}

func (m *Model) nameEntered() {
	name := strings.TrimSpace(m.in.String())
	if name == "" {
		m.inputErr = "type a name"
		return
	}
	var p lvscf.Path
	var cli string
	if m.virtual == "" {
		p = lvscf.Path{Kind: lvscf.BlockVirtual, Block: name}
		cli = "lvsadm cf add virtual " + shellQuote(name)
	} else {
		p = lvscf.Path{Kind: lvscf.BlockServer, Block: m.virtual, Server: name}
		cli = "lvsadm cf add server " + shellQuote(m.virtual) + " " + shellQuote(name)
	}
	bp := p.String()
	if err := m.apply(func(f *lvscf.File) error { return f.Add(bp) }, fmt.Sprintf("added %s (%s; unsaved): fill in its address", bp, cli)); err != nil {
		m.inputErr = firstLine(err.Error())
		return
	}
	m.mode, m.inputErr = modeNormal, ""
	if m.virtual == "" {
		m.virtual = name
	} else {
		m.server = name
	}
	m.cursor, m.offset = 0, 0
	m.clamp()
}

// shellQuote quotes s for a shell when it needs it.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n\"'\\$`;&|<>()*?[]#~!{}") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
