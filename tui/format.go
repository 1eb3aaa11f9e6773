package tui

import (
	"net"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// hostPort renders an address and port as ipvsadm -n does: a.b.c.d:port,
// [v6]:port.
func hostPort(ip net.IP, port uint16) string {
	return net.JoinHostPort(ip.String(), strconv.Itoa(int(port)))
}

// siRate renders a per-second rate in at most 6 columns, scaled by 1000 as
// ipvsadm scales: 0, 9.5, 950, 9.5K, 950K, 9.5M, ...
func siRate(v float64) string {
	if v < 0 {
		v = 0
	}
	if v < 9.95 {
		if v == float64(int64(v)) {
			return strconv.FormatInt(int64(v), 10)
		}
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	if v < 1000 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return siScaled(v)
}

// siCount renders a counter in at most 6 columns: exact below 100000.
func siCount(n uint64) string {
	if n < 100000 {
		return strconv.FormatUint(n, 10)
	}
	return siScaled(float64(n))
}

func siScaled(v float64) string {
	units := "KMGTPE"
	for i := 0; i < len(units); i++ {
		v /= 1000
		if v < 999.5 || i == len(units)-1 {
			if v < 9.95 {
				return strconv.FormatFloat(v, 'f', 1, 64) + units[i:i+1]
			}
			return strconv.FormatFloat(v, 'f', 0, 64) + units[i:i+1]
		}
	}
	return "?"
}

// fit pads or cuts s to exactly w columns (cutting marks the cut with '~'
// so that a truncated address is not mistaken for a whole one).
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := ansi.StringWidth(s)
	if n == w {
		return s
	}
	if n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return ansi.Truncate(s, w, "~")
}

// fitLeft is fit for values whose end matters more than their start
// (addresses with ports): it cuts from the left.
func fitLeft(s string, w int) string {
	n := ansi.StringWidth(s)
	if n <= w {
		return fit(s, w)
	}
	if w <= 0 {
		return ""
	}
	return "~" + ansi.TruncateLeft(s, n-w+1, "")
}

// right right-aligns s in w columns, cutting it if it is wider.
func right(s string, w int) string {
	n := ansi.StringWidth(s)
	if n >= w {
		return fit(s, w)
	}
	return strings.Repeat(" ", w-n) + s
}

// clip cuts a line to at most w columns, without padding.
func clip(s string, w int) string {
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "")
}

// clock renders seconds as ipvsadm -Lc does: mm:ss.
func clock(sec uint32) string {
	m, s := sec/60, sec%60
	ms := strconv.FormatUint(uint64(m), 10)
	if m < 10 {
		ms = "0" + ms
	}
	ss := strconv.FormatUint(uint64(s), 10)
	if s < 10 {
		ss = "0" + ss
	}
	return ms + ":" + ss
}
