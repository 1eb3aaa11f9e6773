package tui

import (
	"bytes"
	"cmp"
	"net"
	"slices"
	"strings"

	"github.com/lvsadm/lvsadm/ops"
)

// connSortKey orders the connection rows kept; zero is the kernel's order.
type connSortKey int

const (
	connSortKernel connSortKey = iota
	connSortProto
	connSortExpire
	connSortState
	connSortClient
	connSortVirtual
	connSortDest
	numConnSortKeys
)

// connSortKeys maps the connections view's sort keys to columns: the
// column's initial, upper case, so that it never clashes with a command.
func connSortKeys(k string) (connSortKey, bool) {
	switch k {
	case "P":
		return connSortProto, true
	case "E":
		return connSortExpire, true
	case "S":
		return connSortState, true
	case "C":
		return connSortClient, true
	case "V":
		return connSortVirtual, true
	case "D":
		return connSortDest, true
	}
	return connSortKernel, false
}

func (k connSortKey) String() string {
	return [...]string{"kernel order", "protocol", "expire", "state", "source", "virtual", "destination"}[k]
}

// sortConns orders rows by key, stably (ties keep the kernel's order),
// and reversed with desc.
func sortConns(rows []ops.Connection, key connSortKey, desc bool) {
	if key == connSortKernel {
		return
	}
	slices.SortStableFunc(rows, func(a, b ops.Connection) int {
		c := compareConns(&a, &b, key)
		if desc {
			return -c
		}
		return c
	})
}

func compareConns(a, b *ops.Connection, key connSortKey) int {
	switch key {
	case connSortProto:
		return strings.Compare(a.Protocol, b.Protocol)
	case connSortExpire:
		return cmp.Compare(a.Expires, b.Expires)
	case connSortState:
		return strings.Compare(a.State, b.State)
	case connSortClient:
		return compareAddr(a.Client, a.CPort, b.Client, b.CPort)
	case connSortVirtual:
		return compareAddr(a.Virtual, a.VPort, b.Virtual, b.VPort)
	case connSortDest:
		return compareAddr(a.Dest, a.DPort, b.Dest, b.DPort)
	}
	return 0
}

func compareAddr(a net.IP, ap uint16, b net.IP, bp uint16) int {
	if c := bytes.Compare(a.To16(), b.To16()); c != 0 {
		return c
	}
	return cmp.Compare(ap, bp)
}

// connGroup is how the connections view lists: rows, or counts.
type connGroup int

const (
	groupNone connGroup = iota
	groupDest
	groupState
	numGroups
)

// groupRow is one line of a grouped connections view.
type groupRow struct {
	name  string
	count int
}

// connGroups counts the matching entries (all, not only the kept rows) by
// real server or by state, most first, then by name.
func connGroups(sum *ConnSummary, g connGroup) []groupRow {
	var out []groupRow
	switch g {
	case groupDest:
		for k, n := range sum.ByDest {
			out = append(out, groupRow{k.String(), n})
		}
	case groupState:
		for st, n := range sum.MatchedByState {
			out = append(out, groupRow{orDash(st), n})
		}
	}
	slices.SortFunc(out, func(a, b groupRow) int {
		if c := cmp.Compare(b.count, a.count); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	return out
}
