package ipvsadm

import (
	"strconv"

	"github.com/lvsadm/lvsadm/ops"
)

// This file lists the connection table (-c), as ipvsadm 1.31's list_conn
// and print_conn do.

// listConn is ipvsadm's list_conn over the kernel's connection table.
func (s *session) listConn(format int) *exitError {
	k, ferr := s.kernel()
	if ferr != nil {
		return ferr
	}
	pe := format&fmtPersistentConn != 0
	numeric := format&fmtNumeric != 0
	b := s.line[:0]
	var name []byte
	// ipvsadm prints its titles only once the file is open; the kernel
	// implementation opens it before the first entry, and an empty table
	// still needs its titles.
	titles := false
	printTitles := func() {
		if titles {
			return
		}
		titles = true
		s.out.WriteString("IPVS connection entries\n")
		if pe {
			s.out.WriteString("pro expire state       source             virtual            destination        pe name          pe_data\n")
		} else {
			s.out.WriteString("pro expire state       source             virtual            destination\n")
		}
	}
	err := k.Connections(s.ctx, func(c *ops.Connection) error {
		printTitles()
		var proto uint16
		switch c.Protocol {
		case "TCP":
			proto = ops.ProtoTCP
		case "UDP":
			proto = ops.ProtoUDP
		case "SCTP":
			proto = ops.ProtoSCTP
		}
		af := familyOf(c.Client)
		daf := familyOf(c.Dest)
		b = b[:0]
		b = appendLeft(b, c.Protocol, 3)
		b = append(b, ' ')
		n := len(b)
		b = appendZero2(b, c.Expires/60)
		b = append(b, ':')
		b = appendZero2(b, c.Expires%60)
		for len(b)-n < 6 {
			b = append(b, ' ')
		}
		b = append(b, ' ')
		b = appendLeft(b, c.State, 11)
		b = append(b, ' ')
		name = s.appendAddrPort(name[:0], af, addrFromIP(af, c.Client), c.CPort, proto, numeric)
		b = appendLeft(b, name, 18)
		b = append(b, ' ')
		name = s.appendAddrPort(name[:0], af, addrFromIP(af, c.Virtual), c.VPort, proto, numeric)
		b = appendLeft(b, name, 18)
		b = append(b, ' ')
		name = s.appendAddrPort(name[:0], daf, addrFromIP(daf, c.Dest), c.DPort, proto, numeric)
		if pe && c.PEName != "" && c.PEData != "" {
			b = appendLeft(b, name, 16)
			b = append(b, ' ')
			b = appendLeft(b, c.PEName, 18)
			b = append(b, ' ')
			b = append(b, firstField(c.PEData)...)
		} else {
			b = append(b, name...)
		}
		b = append(b, '\n')
		s.out.Write(b)
		return nil
	})
	s.line = b
	if err != nil && !titles {
		s.errorf("cannot open file /proc/net/ip_vs_conn\n")
		return exitCode(1)
	}
	printTitles()
	return nil
}

// appendZero2 appends n as %02d.
func appendZero2(b []byte, n uint32) []byte {
	if n < 10 {
		b = append(b, '0')
	}
	return strconv.AppendUint(b, uint64(n), 10)
}

// firstField is what sscanf's %s takes of s.
func firstField(s string) string {
	for i := 0; i < len(s); i++ {
		if isCSpace(s[i]) {
			return s[:i]
		}
	}
	return s
}
