package ipvsadm

import (
	"strconv"

	"github.com/lvsadm/lvsadm/ops"
)

// This file holds the pieces ipvsadm 1.31's listings are made of: names of
// protocols, forwarding methods and tunnels, addresses with ports
// (addrport_to_anyname), titles (print_title) and rule lines.

const (
	svcNameMax   = 33 // ipvsadm cuts "Prot LocalAddress:Port" of IPv4 services here
	destNameMax  = 28 // and "RemoteAddress:Port" of IPv4 destinations here
	addrPortMax  = 59 // addrport_to_anyname's buffer holds 59 characters
	tunInfoMax   = 15 // fwd_tun_info's buffer holds 15 characters
	schedFlagAll = ops.SvcSchedFlag1 | ops.SvcSchedFlag2 | ops.SvcSchedFlag3
)

// appendAddrPort is ipvsadm's addrport_to_anyname: "addr:port", the
// address in brackets unless IPv4, names instead of numbers unless numeric.
func (s *session) appendAddrPort(b []byte, af uint16, a inetAddr, port, proto uint16, numeric bool) []byte {
	start := len(b)
	if af != ops.AFInet {
		b = append(b, '[')
	}
	if numeric {
		b = appendAddr(b, af, a)
	} else {
		b = append(b, s.names.addrToAnyName(af, a)...)
	}
	if af != ops.AFInet {
		b = append(b, ']')
	}
	b = append(b, ':')
	if numeric {
		b = strconv.AppendUint(b, uint64(port), 10)
	} else if name, ok := portToService(port, proto); ok {
		b = append(b, name...)
	} else {
		b = strconv.AppendUint(b, uint64(port), 10)
	}
	if len(b)-start > addrPortMax {
		b = b[:start+addrPortMax]
	}
	return b
}

// protocolName is ipvsadm's protocol_name, as listings show it.
func protocolName(proto uint16) string {
	if _, upper, ok := ops.ProtocolNames(proto); ok {
		return upper
	}
	return "?"
}

// protocolOption is ipvsadm's option_from_protocol, as -S writes it.
func protocolOption(proto uint16) string {
	switch proto {
	case ops.ProtoTCP:
		return "-t"
	case ops.ProtoUDP:
		return "-u"
	case ops.ProtoSCTP:
		return "--sctp-service"
	}
	return "--xxx-service"
}

// fwdName is ipvsadm's fwd_name ("(null)" as glibc prints a NULL).
func fwdName(flags uint32) string {
	switch flags & ops.FwdMask {
	case ops.FwdMasq:
		return "Masq"
	case ops.FwdLocal:
		return "Local"
	case ops.FwdTunnel:
		return "Tunnel"
	case ops.FwdRoute:
		return "Route"
	}
	return "(null)"
}

// fwdSwitch is ipvsadm's fwd_switch.
func fwdSwitch(flags uint32) string {
	switch flags & ops.FwdMask {
	case ops.FwdMasq:
		return "-m"
	case ops.FwdTunnel:
		return "-i"
	case ops.FwdLocal, ops.FwdRoute:
		return "-g"
	}
	return "(null)"
}

// tunFlagName is the --tun-info name of tunnel flags f.
func tunFlagName(f uint16) string {
	if int(f) < len(tunFlagNames) {
		return tunFlagNames[f]
	}
	return "?"
}

// tunFlagOpt is the -S option of tunnel flags f.
func tunFlagOpt(f uint16) string {
	if int(f) < len(tunFlagOpts) {
		return tunFlagOpts[f]
	}
	return "?"
}

// tunInfo is ipvsadm's fwd_tun_info, or "n/a".
func tunInfo(d *ops.Destination) string {
	if d.ConnFlags&ops.FwdMask != ops.FwdTunnel {
		return "n/a"
	}
	var s string
	switch d.TunType {
	case ops.TunIPIP:
		s = tunNames[ops.TunIPIP]
	case ops.TunGUE:
		s = tunNames[ops.TunGUE] + ":" + strconv.Itoa(int(d.TunPort)) + ":" + tunFlagName(d.TunFlags)
	case ops.TunGRE:
		s = tunNames[ops.TunGRE] + ":" + tunFlagName(d.TunFlags)
	default:
		return "n/a"
	}
	return truncate(s, tunInfoMax)
}

// appendSchedFlags is ipvsadm's print_sched_flags.
func appendSchedFlags(b []byte, sched string, flags uint32) []byte {
	var names []string
	switch sched {
	case "sh":
		if flags&ops.SvcSchedShFallback != 0 {
			names = append(names, "sh-fallback")
		}
		if flags&ops.SvcSchedShPort != 0 {
			names = append(names, "sh-port")
		}
	case "mh":
		if flags&ops.SvcSchedFlag1 != 0 {
			names = append(names, "mh-fallback")
		}
		if flags&ops.SvcSchedFlag2 != 0 {
			names = append(names, "mh-port")
		}
	default:
		if flags&ops.SvcSchedFlag1 != 0 {
			names = append(names, "flag-1")
		}
		if flags&ops.SvcSchedFlag2 != 0 {
			names = append(names, "flag-2")
		}
		if flags&ops.SvcSchedFlag3 != 0 {
			names = append(names, "flag-3")
		}
	}
	for i, n := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, n...)
	}
	return b
}

// printTitle is ipvsadm's print_title.
func (s *session) printTitle(format int) {
	switch {
	case format&fmtStats != 0:
		s.out.WriteString("Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n  -> RemoteAddress:Port\n")
	case format&fmtRate != 0:
		s.out.WriteString("Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n  -> RemoteAddress:Port\n")
	case format&fmtThresholds != 0:
		s.out.WriteString("Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n  -> RemoteAddress:Port\n")
	case format&fmtPersistentConn != 0:
		s.out.WriteString("Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n  -> RemoteAddress:Port\n")
	case format&fmtTunInfo != 0:
		s.out.WriteString("Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n")
	case format&fmtRule == 0:
		s.out.WriteString("Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n")
	}
}

// appendMask appends the persistence mask when it is not the default.
func appendMask(b []byte, label string, se *ops.Service) []byte {
	switch se.Family {
	case ops.AFInet:
		if se.Netmask != 0xffffffff {
			b = append(b, label...)
			b = append(b, formatMask4(se.Netmask)...)
		}
	case ops.AFInet6:
		if se.Netmask != 128 {
			b = append(b, label...)
			b = strconv.AppendInt(b, int64(int32(se.Netmask)), 10)
		}
	}
	return b
}

// appendDestRule appends the -a line -S writes for d (with
// print_tunnel_rule's tunnel options).
func appendDestRule(b, svcName, dname []byte, d *ops.Destination) []byte {
	b = append(b, "-a "...)
	b = append(b, svcName...)
	b = append(b, " -r "...)
	b = append(b, dname...)
	b = append(b, ' ')
	b = append(b, fwdSwitch(d.ConnFlags)...)
	b = append(b, " -w "...)
	b = strconv.AppendInt(b, int64(d.Weight), 10)
	if d.ConnFlags&ops.FwdMask == ops.FwdTunnel {
		switch d.TunType {
		case ops.TunGRE:
			b = append(b, " --tun-type "...)
			b = append(b, tunNames[d.TunType]...)
			b = append(b, ' ')
			b = append(b, tunFlagOpt(d.TunFlags)...)
		case ops.TunGUE:
			b = append(b, " --tun-type "...)
			b = append(b, tunNames[d.TunType]...)
			b = append(b, " --tun-port "...)
			b = strconv.AppendUint(b, uint64(d.TunPort), 10)
			b = append(b, ' ')
			b = append(b, tunFlagOpt(d.TunFlags)...)
		case ops.TunIPIP:
			b = append(b, " --tun-type "...)
			b = append(b, tunNames[d.TunType]...)
		}
	}
	return append(b, '\n')
}
