package cfedit

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lvsadm/lvsadm/lvscf"
)

// Layout: the panel tabs, the screen's title, the body (fields and lists,
// or the preview), a detail line about the selection, the status line and
// the key hints. Every line is cut to the width before it is styled, so
// nothing wraps.
const chromeLines = 5

// labelWidth is the label column; wide terminals put diagnostics beside
// the value from wideAt columns on.
const (
	labelWidth = 28
	keyWidth   = 16
	wideAt     = 120
	wideValue  = 30
)

// bodyHeight is what is left for the body; a status message too long for
// one line takes a second one from it.
func (m *Model) bodyHeight() int {
	h := m.height - chromeLines
	if len(m.statusLines(m.width)) > 1 {
		h--
	}
	return max(h, 1)
}

// line is a body line: its plain text (already cut to the width) and its
// style.
type line struct {
	text string
	st   style
}

// body renders the current screen's items and says which lines the
// selected one covers.
func (m *Model) body(w int) (lines []line, selFrom, selTo int) {
	if m.cur == nil {
		return nil, 0, 0
	}
	items := m.items()
	sel := selectable(items)
	selIdx := -1
	if m.cursor >= 0 && m.cursor < len(sel) {
		selIdx = sel[m.cursor]
	}
	add := func(s string, st style) { lines = append(lines, line{cut(s, w), st}) }
	for _, d := range m.cur.at[m.openBlock()] {
		for _, l := range wrap(diagText(d), w, "  ", "    ") {
			add(l, m.diagStyle(d))
		}
	}
	for i, it := range items {
		mark := "  "
		if i == selIdx {
			mark = "> "
			selFrom = len(lines)
		}
		switch it.kind {
		case itemHeading:
			if len(lines) > 0 {
				add("", style{})
			}
			add(it.text, m.st.heading)
		case itemNote:
			add("  "+it.text, m.st.dflt)
		case itemBlock:
			st := style{}
			if i == selIdx {
				st = m.st.selected
			}
			add(mark+m.blockSummary(it), st)
		case itemField:
			m.fieldLines(it, mark, i == selIdx, w, add)
		}
		if i == selIdx {
			selTo = len(lines) - 1
		}
	}
	return lines, selFrom, selTo
}

// fieldLines renders a field: its label and value, then what the linter
// says about its line, wrapped. Wide terminals also show the lvs.cf key
// (what "lvsadm cf set" takes) and put the diagnostics beside the value.
func (m *Model) fieldLines(it item, mark string, selected bool, w int, add func(string, style)) {
	editing := selected && m.mode == modeEdit && m.editPath == it.path
	v, set := m.cur.value(it.path)
	val, vst := v, style{}
	switch {
	case editing:
		val, vst = m.in.view(m.st.selected), m.st.prompt
	case !set && m.cur.eff[it.path] != "":
		val, vst = m.cur.eff[it.path]+" (default)", m.st.dflt
	case !set:
		val, vst = "(not set)", m.st.dflt
	}
	if selected {
		vst = m.st.selected
	}
	wide := w >= wideAt
	head := mark + padRight(it.fld.label, labelWidth) + " "
	if wide {
		head += padRight(it.fld.key, keyWidth) + " "
	}
	indent := strings.Repeat(" ", len(head))
	if w < 2*len(indent) {
		indent = "    "
	}
	var msgs []line // the refusal and the diagnostics, unwrapped
	if editing && m.inputErr != "" {
		msgs = append(msgs, line{"refused: " + m.inputErr, m.st.errText})
	}
	for _, d := range m.cur.at[it.path] {
		msgs = append(msgs, line{diagText(d), m.diagStyle(d)})
	}
	if !wide || len(msgs) == 0 || editing {
		add(head+val, vst)
	} else {
		// The first message beside the value, in its own column.
		beside := strings.Repeat(" ", len(head)+wideValue+2)
		ls := wrap(msgs[0].text, w, beside, beside+"  ")
		first := head + padRight(val, wideValue) + "  "
		add(first+strings.TrimLeft(ls[0], " "), msgs[0].st)
		for _, l := range ls[1:] {
			add(l, msgs[0].st)
		}
		msgs = msgs[1:]
	}
	for _, l := range msgs {
		for _, t := range wrap(l.text, w, indent, indent+"  ") {
			add(t, l.st)
		}
	}
}

func diagText(d lvscf.Diagnostic) string {
	return fmt.Sprintf("%s: %s [%s]", d.Severity, d.Message, d.Code)
}

func (m *Model) diagStyle(d lvscf.Diagnostic) style {
	if d.Severity == lvscf.SevError {
		return m.st.errText
	}
	return m.st.warnText
}

// clamp keeps the screen on blocks that exist (an undo or a reload may
// have taken the open one away), the cursor on an item and that item on
// the screen.
func (m *Model) clamp() {
	if m.cur != nil && m.virtual != "" && !slices.Contains(m.cur.names(lvscf.BlockVirtual, ""), m.virtual) {
		m.virtual, m.server, m.cursor = "", "", 0
	}
	if m.cur != nil && m.server != "" && !slices.Contains(m.cur.names(lvscf.BlockServer, m.virtual), m.server) {
		m.server, m.cursor = "", 0
	}
	n := len(selectable(m.items()))
	m.cursor = min(m.cursor, n-1)
	m.cursor = max(m.cursor, 0)
	lines, from, to := m.body(m.width)
	bh := m.bodyHeight()
	if to-from+1 > bh {
		to = from + bh - 1
	}
	if from < m.offset {
		m.offset = from
	}
	if to >= m.offset+bh {
		m.offset = to - bh + 1
	}
	m.offset = max(min(m.offset, len(lines)-bh), 0)
	m.clampPreview()
}

// View renders the view as m.height lines of at most m.width cells.
func (m *Model) View() string {
	w := m.width
	out := make([]string, 0, m.height)
	out = append(out, m.tabLine(w))
	var body []line
	title := m.title()
	if m.previewShown() {
		title = m.prevTitle
		for _, l := range m.preview[m.prevOff:] {
			st := style{}
			switch {
			case strings.HasPrefix(l, "---"), strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "@@"):
				st = m.st.heading
			case strings.HasPrefix(l, "-"):
				st = m.st.del
			case strings.HasPrefix(l, "+"):
				st = m.st.add
			}
			body = append(body, line{cut(l, w), st})
		}
	} else {
		body, _, _ = m.body(w)
		body = body[min(m.offset, len(body)):]
	}
	out = append(out, m.st.prompt.render(cut(title, w)))
	bh := m.bodyHeight()
	for i := range bh {
		if i < len(body) {
			out = append(out, body[i].st.render(body[i].text))
		} else {
			out = append(out, "")
		}
	}
	out = append(out, cut(m.detailLine(), w))
	out = append(out, m.statusLines(w)...)
	out = append(out, m.st.footer.render(cut(m.footerLine(), w)))
	if len(out) > m.height {
		out = out[:m.height]
	}
	return strings.Join(out, "\n")
}

// previewShown says whether the body is the preview (also while a
// question about it is asked).
func (m *Model) previewShown() bool {
	return m.mode == modePreview || m.mode == modeConfirm && len(m.preview) > 0
}

func (m *Model) tabLine(w int) string {
	var b, plain strings.Builder
	for p := range numPanels {
		t := " " + p.String() + " "
		if p == m.panel {
			t = "[" + p.String() + "]"
		}
		plain.WriteString(t + " ")
		if p == m.panel {
			b.WriteString(m.st.tabOn.render(t) + " ")
		} else {
			b.WriteString(t + " ")
		}
	}
	// Most important first: what is cut at 80 columns is the serial.
	var info []string
	if m.cur != nil {
		if c := counts(m.cur.errs, m.cur.warns); c != "" {
			info = append(info, c)
		}
	}
	if m.Dirty() {
		info = append(info, "modified")
	}
	if m.orig != nil {
		if s, ok := m.orig.value("serial_no"); ok {
			info = append(info, "serial "+s)
		}
	}
	if m.opts.ReadOnly {
		info = append(info, "read-only")
	}
	if plain.Len() > w {
		return cut(plain.String(), w)
	}
	return b.String() + cut(" "+strings.Join(info, "  "), w-plain.Len())
}

func (m *Model) detailLine() string {
	if m.previewShown() || m.cur == nil {
		return ""
	}
	it, ok := m.selected()
	if !ok {
		return ""
	}
	if it.kind == itemBlock {
		return it.path + ": enter opens it, x deletes it"
	}
	return it.path + ": " + it.fld.help
}

// statusLines is the status line, wrapped to two lines when a message
// needs them (the CLI equivalent of an edit is long).
func (m *Model) statusLines(w int) []string {
	text, st := m.statusText()
	ls := wrap(text, w, "", "  ")
	if len(ls) > 2 {
		rest := make([]string, 0, len(ls)-1)
		for _, l := range ls[1:] {
			rest = append(rest, strings.TrimSpace(l))
		}
		ls = []string{ls[0], cut("  "+strings.Join(rest, " "), w)}
	}
	for i := range ls {
		ls[i] = st.render(ls[i])
	}
	if len(ls) == 0 {
		ls = []string{""}
	}
	return ls
}

func (m *Model) statusText() (string, style) {
	switch m.mode {
	case modeConfirm:
		if m.confirm != nil {
			return m.confirm.prompt, m.st.prompt
		}
	case modeEdit:
		return "editing " + m.editPath + ": enter sets it, an empty value removes the line (default), esc cancels", m.st.prompt
	case modeName:
		what := "virtual server"
		if m.virtual != "" {
			what = "real server of " + m.virtual
		}
		s := "name of the new " + what + ": " + m.in.view(m.st.selected)
		if m.inputErr != "" {
			return s + "  refused: " + m.inputErr, m.st.errText
		}
		return s, m.st.prompt
	case modeLoading:
		return "reading " + m.deps.Path + "...", style{}
	}
	if m.status != "" {
		if m.statusErr {
			return m.status, m.st.errText
		}
		return m.status, m.st.status
	}
	if m.cur != nil && m.cur.errs+m.cur.warns > 0 {
		d := m.cur.diags[0]
		return fmt.Sprintf("lint: %s; first at line %d: %s", counts(m.cur.errs, m.cur.warns), d.Line, diagText(d)), m.diagStyle(d)
	}
	return "", style{}
}

// footerLine is the key hints; the long form when it fits, else as many
// whole hints of the short form as fit ("ctrl+s sa~" helps nobody).
func (m *Model) footerLine() string {
	long, short := m.hints()
	if len(long) <= m.width {
		return long
	}
	for len(short) > m.width {
		i := strings.LastIndex(short, "  ")
		if i < 0 {
			break
		}
		short = short[:i]
	}
	return short
}

func (m *Model) hints() (long, short string) {
	k := m.keys
	join := func(parts ...string) string { return strings.Join(parts, "  ") }
	switch m.mode {
	case modeEdit, modeName:
		s := join(hint(k.Set, "set"), hint(k.Cancel, "cancel"), hint(k.Line.KillStart, "clear"))
		return s, s
	case modeConfirm:
		s := join(hint(k.Yes, "confirm"), "any other key cancels")
		return s, s
	case modePreview:
		return join("up/down scroll", hint(k.Save, "save"), hint(k.Apply, "apply (after saving)"), hint(k.PreviewClose, "back")),
			join("up/down scroll", hint(k.Save, "save"), hint(k.Apply, "apply"), hint(k.PreviewClose, "back"))
	case modeLoading, modeBusy:
		return "", ""
	}
	tab, enter, back := hint(k.NextPanel, "panel"), hint(k.Open, "open"), hint(k.Back, "back")
	if m.opts.ReadOnly {
		return join("read-only", tab, enter, back, hint(k.Diff, "diff"), hint(k.Reload, "read again")), join("read-only", tab, enter, back)
	}
	tail := join("", hint(k.Undo, "undo"), hint(k.Diff, "diff"), hint(k.Save, "save"), hint(k.Apply, "apply"))
	edit, unset, add := hint(k.Open, "edit"), hint(k.Delete, "unset"), hint(k.Add, "add")
	switch {
	case m.panel != panelVirtuals:
		return join(tab, edit, unset+" (default)") + tail, join(tab, edit, unset) + tail
	case m.virtual == "":
		return join(tab, enter, add+" virtual server", hint(k.Delete, "delete")) + tail, join(tab, enter, add, hint(k.Delete, "delete")) + tail
	case m.server == "":
		return join(hint(k.Open, "edit/open"), add+" real server", hint(k.Delete, "unset/delete"), back) + tail,
			join(hint(k.Open, "edit/open"), add, hint(k.Delete, "unset/delete"), back, hint(k.Diff, "diff"), hint(k.Save, "save"))
	}
	return join(edit, unset+" (default)", add+" real server", back) + tail, join(edit, unset, back) + tail
}
