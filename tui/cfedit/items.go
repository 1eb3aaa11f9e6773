package cfedit

import (
	"strings"

	"github.com/lvsadm/lvsadm/lvscf"
)

type itemKind int

const (
	itemHeading itemKind = iota // a section title
	itemNote                    // a line of text: "no real servers"
	itemField                   // a key: enter edits it
	itemBlock                   // a virtual or real server: enter opens it
)

// item is one entry of the current screen.
type item struct {
	kind itemKind
	text string // heading or note
	fld  field
	path string // the key's path, or the block's
	name string // the block's name
}

func (it item) selectable() bool { return it.kind == itemField || it.kind == itemBlock }

// items lists what the current screen shows: a panel's fields, the list of
// virtual servers, one virtual server (its fields, its real servers, its
// monitoring scripts) or one real server.
func (m *Model) items() []item {
	t := m.cur
	if t == nil {
		return nil
	}
	var out []item
	fields := func(base lvscf.Path, fs []field) {
		for _, f := range fs {
			p := base
			p.Key = f.key
			out = append(out, item{kind: itemField, fld: f, path: p.String()})
		}
	}
	switch {
	case m.panel == panelGlobal:
		fields(lvscf.Path{Kind: lvscf.BlockRoot}, globalFields())
	case m.panel == panelRedundancy:
		fields(lvscf.Path{Kind: lvscf.BlockRoot}, redundancyFields())
	case m.virtual == "":
		names := t.names(lvscf.BlockVirtual, "")
		for _, n := range names {
			out = append(out, item{kind: itemBlock, name: n, path: lvscf.Path{Kind: lvscf.BlockVirtual, Block: n}.String()})
		}
		if len(names) == 0 {
			out = append(out, item{kind: itemNote, text: "no virtual servers (a adds one)"})
		}
	case m.server == "":
		vp := lvscf.Path{Kind: lvscf.BlockVirtual, Block: m.virtual}
		fields(vp, virtualFields())
		out = append(out, item{kind: itemHeading, text: "Real servers"})
		names := t.names(lvscf.BlockServer, m.virtual)
		for _, n := range names {
			out = append(out, item{kind: itemBlock, name: n, path: lvscf.Path{Kind: lvscf.BlockServer, Block: m.virtual, Server: n}.String()})
		}
		if len(names) == 0 {
			out = append(out, item{kind: itemNote, text: "no real servers (a adds one)"})
		}
		out = append(out, item{kind: itemHeading, text: "Monitoring scripts"})
		fields(vp, monitorFields())
	default:
		fields(lvscf.Path{Kind: lvscf.BlockServer, Block: m.virtual, Server: m.server}, serverFields())
	}
	return out
}

// selectable returns the indices of the items the cursor can be on.
func selectable(items []item) []int {
	var out []int
	for i, it := range items {
		if it.selectable() {
			out = append(out, i)
		}
	}
	return out
}

// selected returns the item under the cursor.
func (m *Model) selected() (item, bool) {
	items := m.items()
	sel := selectable(items)
	if len(sel) == 0 || m.cursor < 0 || m.cursor >= len(sel) {
		return item{}, false
	}
	return items[sel[m.cursor]], true
}

// selectPath puts the cursor on the item with path p, if there is one.
func (m *Model) selectPath(p string) {
	items := m.items()
	for i, idx := range selectable(items) {
		if items[idx].path == p {
			m.cursor = i
			return
		}
	}
}

// title names the current screen.
func (m *Model) title() string {
	switch {
	case m.panel != panelVirtuals:
		return m.panel.String()
	case m.virtual == "":
		return "Virtual servers"
	case m.server == "":
		return "Virtual server " + m.virtual
	}
	return "Real server " + m.server + " of virtual server " + m.virtual
}

// openBlock is the path of the block the screen shows, "" for the global
// section.
func (m *Model) openBlock() string {
	switch {
	case m.panel != panelVirtuals || m.virtual == "":
		return ""
	case m.server == "":
		return lvscf.Path{Kind: lvscf.BlockVirtual, Block: m.virtual}.String()
	}
	return lvscf.Path{Kind: lvscf.BlockServer, Block: m.virtual, Server: m.server}.String()
}

// blockSummary is a list row's text for a virtual or real server.
func (m *Model) blockSummary(it item) string {
	t := m.cur
	get := func(k string) string { return t.eff[it.path+"."+k] }
	var b strings.Builder
	active := "inactive"
	if get("active") == "1" {
		active = "active"
	}
	p, _ := lvscf.ParsePath(it.path)
	if p.Kind == lvscf.BlockVirtual {
		addr, _, _ := strings.Cut(get("address"), " ")
		svc := addr + ":" + get("port")
		if fw := get("fwmark"); fw != "" && fw != "0" {
			svc = "fwmark " + fw
		}
		n := len(t.names(lvscf.BlockServer, it.name))
		b.WriteString(padRight(it.name, 16) + " " + padRight(svc, 22) + " " + padRight(get("protocol"), 4) + padRight(get("scheduler"), 6) + padRight(active, 9) + plural(n, "real server"))
	} else {
		b.WriteString(padRight(it.name, 16) + " " + padRight(get("address")+":"+get("port"), 22) + " weight " + padRight(get("weight"), 6) + active)
	}
	if e, w := t.within(it.path); e+w > 0 {
		b.WriteString("  " + counts(e, w))
	}
	return b.String()
}
