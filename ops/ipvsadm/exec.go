package ipvsadm

import "github.com/lvsadm/lvsadm/ops"

// This file runs a parsed command against the kernel (the second half of
// ipvsadm's process_options).

// execute runs a parsed command (the second half of process_options).
func (s *session) execute(c *command, readingStdin bool) (int, *exitError) {
	switch c.cmd {
	case cmdList:
		switch {
		case c.has(optConnection):
			return 0, s.listConn(c.format)
		case c.has(optService):
			return 0, s.listService(&c.svc, c.format)
		case c.has(optTimeout):
			return 0, s.listTimeout()
		case c.has(optDaemon):
			return 0, s.listDaemon()
		}
		return 0, s.listAll(c.format)
	case cmdRestore:
		return s.restore(readingStdin)
	case cmdSave:
		return 0, s.listAll(c.format | fmtRule)
	}

	k, kerr := s.kernel()
	if kerr != nil {
		return 0, kerr
	}
	var err error
	var op ops.Op
	switch c.cmd {
	case cmdFlush:
		op, err = ops.OpFlush, k.Flush(s.ctx)
	case cmdAdd:
		op, err = ops.OpAddService, k.AddService(s.ctx, c.svc.service())
	case cmdEdit:
		op, err = ops.OpEditService, k.EditService(s.ctx, c.svc.service())
	case cmdDel:
		op, err = ops.OpDelService, k.DelService(s.ctx, c.svc.key())
	case cmdZero:
		op = ops.OpZero
		if c.svc.fwmark == 0 && c.svc.addr.isZero() && c.svc.port == 0 {
			err = k.Zero(s.ctx, nil)
		} else {
			key := c.svc.key()
			err = k.Zero(s.ctx, &key)
		}
	case cmdAddDest:
		op, err = ops.OpAddDest, k.AddDestination(s.ctx, c.svc.key(), c.dest.destination())
	case cmdEditDest:
		op, err = ops.OpEditDest, k.EditDestination(s.ctx, c.svc.key(), c.dest.destination())
	case cmdDelDest:
		op, err = ops.OpDelDest, k.DelDestination(s.ctx, c.svc.key(), c.dest.destination())
	case cmdTimeout:
		op, err = ops.OpSetTimeout, k.SetTimeouts(s.ctx, c.timeouts)
	case cmdStartDaemon:
		op, err = ops.OpStartDaemon, k.StartDaemon(s.ctx, c.daemon.daemon())
	case cmdStopDaemon:
		op, err = ops.OpStopDaemon, k.StopDaemon(s.ctx, c.daemon.state)
	}
	if err != nil {
		s.errorf("%s\n", errorMessage(err, op))
		return -1, nil
	}
	return 0, nil
}

// key is the service's key as the kernel interface takes it.
func (v *svcSpec) key() ops.ServiceKey {
	return ops.ServiceKey{
		Family:   v.af,
		Protocol: v.protocol,
		Address:  v.addr.toIP(v.af),
		Port:     v.port,
		FWMark:   v.fwmark,
	}
}

func (v *svcSpec) service() ops.Service {
	return ops.Service{
		ServiceKey: v.key(),
		Scheduler:  v.sched,
		PEName:     v.pe,
		Flags:      v.flags,
		Timeout:    v.timeout,
		Netmask:    v.netmask,
	}
}

func (d *destSpec) destination() ops.Destination {
	return ops.Destination{
		Family:     d.af,
		Address:    d.addr.toIP(d.af),
		Port:       d.port,
		ConnFlags:  d.connFlags,
		Weight:     d.weight,
		UThreshold: d.uthresh,
		LThreshold: d.lthresh,
		TunType:    d.tunType,
		TunPort:    d.tunPort,
		TunFlags:   d.tunFlags,
	}
}

func (d *daemonSpec) daemon() ops.Daemon {
	od := ops.Daemon{
		State:      d.state,
		McastIfn:   d.ifn,
		SyncID:     d.syncID,
		SyncMaxLen: d.maxlen,
		McastPort:  d.port,
		McastTTL:   d.ttl,
	}
	if d.groupAF != 0 {
		od.McastGroup = d.group.toIP(d.groupAF)
	}
	return od
}
