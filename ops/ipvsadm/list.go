package ipvsadm

import (
	"strconv"

	"github.com/lvsadm/lvsadm/ops"
)

// This file lists services (-L, -l) and saves them (-S), as ipvsadm
// 1.31's list_all, list_service and print_service_entry do, and prints
// --timeout and --daemon.

// serviceSortKey is what libipvs compares of a service: the kernel reports
// no protocol, address or port for fwmark services.
func serviceSortKey(se *ops.Service) sortKey {
	if se.FWMark != 0 {
		return sortKey{fwmark: se.FWMark, af: se.Family}
	}
	return sortKey{af: se.Family, proto: se.Protocol, addr: addrFromIP(se.Family, se.Address), port: se.Port}
}

// destFamily is a destination's family: its own, or its service's when
// the kernel does not say (as libipvs does).
func destFamily(d *ops.Destination, svcAF uint16) uint16 {
	if d.Family != 0 {
		return d.Family
	}
	return svcAF
}

// listAll is ipvsadm's list_all.
func (s *session) listAll(format int) *exitError {
	k, ferr := s.kernel()
	if ferr != nil {
		return ferr
	}
	if format&fmtRule == 0 {
		v := s.info.Version
		b := append(s.line[:0], "IP Virtual Server version "...)
		b = strconv.AppendUint(b, uint64(v>>16&0xff), 10)
		b = append(b, '.')
		b = strconv.AppendUint(b, uint64(v>>8&0xff), 10)
		b = append(b, '.')
		b = strconv.AppendUint(b, uint64(v&0xff), 10)
		b = append(b, " (size="...)
		b = strconv.AppendInt(b, int64(int32(s.info.ConnTabSize)), 10)
		b = append(b, ")\n"...)
		s.line = b
		s.out.Write(b)
	}
	svcs, err := k.Services(s.ctx)
	if err != nil {
		s.errorf("%s\n", errorMessage(err, ops.OpGetServices))
		return exitCode(1)
	}
	order := make([]int, len(svcs))
	for i := range order {
		order[i] = i
	}
	if format&fmtNoSort == 0 {
		keys := make([]sortKey, len(svcs))
		for i := range svcs {
			keys[i] = serviceSortKey(&svcs[i])
		}
		mergeSort(order, func(a, b int) int { return cmpServices(&keys[a], &keys[b]) })
	}
	s.printTitle(format)
	for _, i := range order {
		if err := s.printServiceEntry(k, &svcs[i], format); err != nil {
			return err
		}
	}
	return nil
}

// listService is ipvsadm's list_service.
func (s *session) listService(svc *svcSpec, format int) *exitError {
	k, ferr := s.kernel()
	if ferr != nil {
		return ferr
	}
	se, err := k.Service(s.ctx, svc.key())
	if err != nil {
		s.errorf("%s\n", errorMessage(err, ops.OpGetService))
		return exitCode(1)
	}
	s.printTitle(format)
	return s.printServiceEntry(k, &se, format)
}

// printServiceEntry is ipvsadm's print_service_entry.
func (s *session) printServiceEntry(k ops.Kernel, se *ops.Service, format int) *exitError {
	dests, err := k.Destinations(s.ctx, se.ServiceKey)
	if err != nil {
		s.errorf("%s\n", errorMessage(err, ops.OpGetDests))
		return exitCode(1)
	}
	numeric := format&fmtNumeric != 0
	rule := format&fmtRule != 0
	proto := se.Protocol
	if se.FWMark != 0 {
		proto = 0
	}

	// The service's name, as the dest lines repeat it in rules.
	name := s.name[:0]
	if se.FWMark != 0 {
		if rule {
			name = append(name, "-f "...)
		} else {
			name = append(name, "FWM  "...)
		}
		// ipvsadm 1.31 prints the fwmark (a u32) with %d: a mark of 2^31 or
		// more comes out negative, in listings and in -S alike (fixed
		// upstream after 1.31; the oracle, Debian's 1.31, still does it).
		name = strconv.AppendInt(name, int64(int32(se.FWMark)), 10)
		if se.Family == ops.AFInet6 {
			if rule {
				name = append(name, " -6"...)
			} else {
				name = append(name, " IPv6"...)
			}
		}
	} else {
		if rule {
			name = append(name, protocolOption(se.Protocol)...)
			name = append(name, ' ')
		} else {
			name = appendLeft(name, protocolName(se.Protocol), 4)
			name = append(name, ' ')
		}
		name = s.appendAddrPort(name, se.Family, addrFromIP(se.Family, se.Address), se.Port, se.Protocol, numeric)
		if !rule && se.Family != ops.AFInet6 && len(name) > svcNameMax {
			name = name[:svcNameMax]
		}
	}
	s.name = name

	b := s.line[:0]
	switch {
	case rule:
		b = append(b, "-A "...)
		b = append(b, name...)
		b = append(b, " -s "...)
		b = append(b, se.Scheduler...)
		if se.Flags&ops.SvcPersistent != 0 {
			b = append(b, " -p "...)
			b = strconv.AppendUint(b, uint64(se.Timeout), 10)
			b = appendMask(b, " -M ", se)
		}
		if se.PEName != "" {
			b = append(b, " --pe "...)
			b = append(b, se.PEName...)
		}
		if se.Flags&ops.SvcOnePacket != 0 {
			b = append(b, " -o"...)
		}
		if se.Flags&schedFlagAll != 0 {
			b = append(b, " -b "...)
			b = appendSchedFlags(b, se.Scheduler, se.Flags)
		}
	case format&fmtStats != 0:
		b = appendLeft(b, name, svcNameMax)
		st := &se.Stats
		exact := format&fmtExact != 0
		for _, n := range [...]uint64{st.Conns, st.InPkts, st.OutPkts, st.InBytes, st.OutBytes} {
			b = appendLargeNum(b, n, exact)
		}
	case format&fmtRate != 0:
		b = appendLeft(b, name, svcNameMax)
		st := &se.Stats
		exact := format&fmtExact != 0
		for _, n := range [...]uint64{st.CPS, st.InPPS, st.OutPPS, st.InBPS, st.OutBPS} {
			b = appendLargeNum(b, n, exact)
		}
	default:
		b = append(b, name...)
		b = append(b, ' ')
		b = append(b, se.Scheduler...)
		if se.Flags&schedFlagAll != 0 {
			b = append(b, " ("...)
			b = appendSchedFlags(b, se.Scheduler, se.Flags)
			b = append(b, ')')
		}
		if se.Flags&ops.SvcPersistent != 0 {
			b = append(b, " persistent "...)
			b = strconv.AppendUint(b, uint64(se.Timeout), 10)
			b = appendMask(b, " mask ", se)
			if se.PEName != "" {
				b = append(b, " pe "...)
				b = append(b, se.PEName...)
			}
		}
		if se.Flags&ops.SvcOnePacket != 0 {
			b = append(b, " ops"...)
		}
	}
	b = append(b, '\n')
	s.out.Write(b)

	order := make([]int, len(dests))
	for i := range order {
		order[i] = i
	}
	if format&fmtNoSort == 0 && len(dests) > 1 {
		keys := make([]sortKey, len(dests))
		for i := range dests {
			d := &dests[i]
			af := destFamily(d, se.Family)
			keys[i] = sortKey{af: af, addr: addrFromIP(af, d.Address), port: d.Port}
		}
		mergeSort(order, func(a, b int) int { return cmpDests(&keys[a], &keys[b]) })
	}
	exact := format&fmtExact != 0
	for _, i := range order {
		d := &dests[i]
		af := destFamily(d, se.Family)
		dname := s.appendAddrPort(s.dname[:0], af, addrFromIP(af, d.Address), d.Port, proto, numeric)
		if !rule && af != ops.AFInet6 && len(dname) > destNameMax {
			dname = dname[:destNameMax]
		}
		s.dname = dname
		b = b[:0]
		switch {
		case rule:
			b = appendDestRule(b, name, dname, d)
		case format&fmtStats != 0:
			b = append(b, "  -> "...)
			b = appendLeft(b, dname, destNameMax)
			st := &d.Stats
			for _, n := range [...]uint64{st.Conns, st.InPkts, st.OutPkts, st.InBytes, st.OutBytes} {
				b = appendLargeNum(b, n, exact)
			}
			b = append(b, '\n')
		case format&fmtRate != 0:
			b = append(b, "  -> "...)
			b = appendLeft(b, dname, destNameMax)
			st := &d.Stats
			for _, n := range [...]uint64{st.CPS, st.InPPS, st.OutPPS} {
				b = append(b, ' ')
				b = appendPadUint(b, n, 8)
			}
			b = appendLargeNum(b, st.InBPS, exact)
			b = appendLargeNum(b, st.OutBPS, exact)
			b = append(b, '\n')
		case format&fmtThresholds != 0:
			b = append(b, "  -> "...)
			b = appendLeft(b, dname, destNameMax)
			for _, n := range [...]uint32{d.UThreshold, d.LThreshold, d.ActiveConns, d.InactConns} {
				b = append(b, ' ')
				b = appendLeftUint(b, uint64(n), 10)
			}
			b = append(b, '\n')
		case format&fmtPersistentConn != 0:
			b = append(b, "  -> "...)
			b = appendLeft(b, dname, destNameMax)
			b = append(b, ' ')
			b = appendLeftUint(b, uint64(uint32(d.Weight)), 9)
			b = append(b, ' ')
			b = appendLeftUint(b, uint64(d.PersistConns), 11)
			b = append(b, ' ')
			b = appendLeftUint(b, uint64(d.ActiveConns), 10)
			b = append(b, ' ')
			b = appendLeftUint(b, uint64(d.InactConns), 10)
			b = append(b, '\n')
		default:
			b = append(b, "  -> "...)
			b = appendLeft(b, dname, destNameMax)
			b = append(b, ' ')
			b = appendLeft(b, fwdName(d.ConnFlags), 7)
			b = append(b, ' ')
			if format&fmtTunInfo != 0 {
				b = appendLeft(b, tunInfo(d), 13)
				b = append(b, ' ')
			}
			b = appendLeftInt(b, int64(d.Weight), 6)
			b = append(b, ' ')
			b = appendLeftUint(b, uint64(d.ActiveConns), 10)
			b = append(b, ' ')
			b = appendLeftUint(b, uint64(d.InactConns), 10)
			b = append(b, '\n')
		}
		s.out.Write(b)
	}
	s.line = b
	return nil
}

// listTimeout is ipvsadm's list_timeout.
func (s *session) listTimeout() *exitError {
	k, ferr := s.kernel()
	if ferr != nil {
		return ferr
	}
	t, err := k.Timeouts(s.ctx)
	if err != nil {
		return exitCode(1)
	}
	b := append(s.line[:0], "Timeout (tcp tcpfin udp): "...)
	b = strconv.AppendInt(b, int64(int32(t.TCP)), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(int32(t.TCPFin)), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(int32(t.UDP)), 10)
	b = append(b, '\n')
	s.line = b
	s.out.Write(b)
	return nil
}

// listDaemon is ipvsadm's list_daemon.
func (s *session) listDaemon() *exitError {
	k, ferr := s.kernel()
	if ferr != nil {
		return ferr
	}
	ds, err := k.Daemons(s.ctx)
	if err != nil {
		return exitCode(1)
	}
	for i := range ds {
		if i == 2 {
			break // ipvsadm shows the first two (master and backup)
		}
		d := &ds[i]
		var typ string
		switch {
		case d.State&ops.DaemonMaster != 0:
			typ = "master"
		case d.State&ops.DaemonBackup != 0:
			typ = "backup"
		default:
			continue
		}
		b := append(s.line[:0], typ...)
		b = append(b, " sync daemon (mcast="...)
		b = append(b, d.McastIfn...)
		b = append(b, ", syncid="...)
		b = strconv.AppendInt(b, int64(int32(d.SyncID)), 10)
		if d.SyncMaxLen != 0 {
			b = append(b, ", maxlen="...)
			b = strconv.AppendUint(b, uint64(d.SyncMaxLen), 10)
		}
		if d.McastGroup != nil {
			af := familyOf(d.McastGroup)
			b = append(b, ", group="...)
			b = appendAddr(b, af, addrFromIP(af, d.McastGroup))
		}
		if d.McastPort != 0 {
			b = append(b, ", port="...)
			b = strconv.AppendUint(b, uint64(d.McastPort), 10)
		}
		if d.McastTTL != 0 {
			b = append(b, ", ttl="...)
			b = strconv.AppendUint(b, uint64(d.McastTTL), 10)
		}
		b = append(b, ")\n"...)
		s.line = b
		s.out.Write(b)
	}
	return nil
}
