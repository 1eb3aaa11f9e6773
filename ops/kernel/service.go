package kernel

import (
	"context"
	"errors"
	"fmt"

	"github.com/lvsadm/lvsadm/ops"
)

// putServiceKeyAttrs appends the identifying attributes of a service:
// AF and either FWMARK or PROTOCOL, ADDR and PORT.
func putServiceKeyAttrs(e *encoder, k ops.ServiceKey) error {
	af := k.AddrFamily()
	e.putU16(svcAttrAF, af)
	if k.FWMark != 0 {
		e.putU32(svcAttrFWMark, k.FWMark)
		return nil
	}
	e.putU16(svcAttrProtocol, k.Protocol)
	if err := putAddr(e, svcAttrAddr, af, k.Address); err != nil {
		return fmt.Errorf("service address: %w", err)
	}
	e.putBE16(svcAttrPort, k.Port)
	return nil
}

// putServiceKey appends an IPVS_CMD_ATTR_SERVICE nest with the key only.
func putServiceKey(e *encoder, k ops.ServiceKey) error {
	n := e.beginNest(cmdAttrService)
	if err := putServiceKeyAttrs(e, k); err != nil {
		return err
	}
	e.endNest(n)
	return nil
}

// putService appends the full IPVS_CMD_ATTR_SERVICE nest that NEW_SERVICE
// and SET_SERVICE need. Flags go with mask 0xffffffff, as libipvs sends
// them, so the kernel takes them as given. The netmask is a be32 mask for
// IPv4 and the prefix length (native u32, which the kernel reads raw) for
// IPv6; both are sent as the caller filled them.
func putService(e *encoder, s ops.Service) error {
	if len(s.Scheduler) > maxString || len(s.PEName) > maxString {
		return errors.New("scheduler or persistence engine name too long")
	}
	n := e.beginNest(cmdAttrService)
	if err := putServiceKeyAttrs(e, s.ServiceKey); err != nil {
		return err
	}
	e.putString(svcAttrSchedName, s.Scheduler)
	if s.PEName != "" {
		e.putString(svcAttrPEName, s.PEName)
	}
	var fl [8]byte
	native.PutUint32(fl[0:4], s.Flags)
	native.PutUint32(fl[4:8], 0xffffffff)
	e.put(svcAttrFlags, fl[:])
	e.putU32(svcAttrTimeout, s.Timeout)
	if s.ServiceKey.AddrFamily() == afInet6 {
		e.putU32(svcAttrNetmask, s.Netmask)
	} else {
		e.putBE32(svcAttrNetmask, s.Netmask)
	}
	e.endNest(n)
	return nil
}

// decodeService reads the attributes inside an IPVS_CMD_ATTR_SERVICE nest.
func decodeService(b []byte) (ops.Service, error) {
	var (
		s                 ops.Service
		addr, mask, flags []byte
		haveAF, havePort  bool
		haveProto         bool
		stats32, stats64  []byte
		err               error
		a                 = newAttrs(b)
	)
	for a.next() && err == nil {
		switch a.typ {
		case svcAttrAF:
			s.Family, err = getU16("service af", a.val)
			haveAF = true
		case svcAttrProtocol:
			s.Protocol, err = getU16("service protocol", a.val)
			haveProto = true
		case svcAttrAddr:
			addr = a.val
		case svcAttrPort:
			s.Port, err = getBE16("service port", a.val)
			havePort = true
		case svcAttrFWMark:
			s.FWMark, err = getU32("service fwmark", a.val)
		case svcAttrSchedName:
			s.Scheduler = getString(a.val)
		case svcAttrPEName:
			s.PEName = getString(a.val)
		case svcAttrFlags:
			flags = a.val
		case svcAttrTimeout:
			s.Timeout, err = getU32("service timeout", a.val)
		case svcAttrNetmask:
			mask = a.val
		case svcAttrStats:
			stats32 = a.val
		case svcAttrStats64:
			stats64 = a.val
		}
	}
	if err == nil {
		err = a.err
	}
	if err != nil {
		return ops.Service{}, err
	}
	if !haveAF {
		return ops.Service{}, errors.New("service without address family")
	}
	if s.FWMark == 0 {
		if addr == nil || !havePort || !haveProto {
			return ops.Service{}, errors.New("service without fwmark or protocol, address and port")
		}
		if s.Address, err = getAddr("service address", s.Family, addr); err != nil {
			return ops.Service{}, err
		}
	}
	if flags != nil {
		if len(flags) < 8 {
			return ops.Service{}, attrLenError("service flags", len(flags), 8)
		}
		s.Flags = native.Uint32(flags[0:4]) & native.Uint32(flags[4:8])
	}
	if mask != nil {
		if len(mask) < 4 {
			return ops.Service{}, attrLenError("service netmask", len(mask), 4)
		}
		if s.Family == afInet6 {
			s.Netmask = native.Uint32(mask)
		} else {
			s.Netmask = uint32(mask[0])<<24 | uint32(mask[1])<<16 | uint32(mask[2])<<8 | uint32(mask[3])
		}
	}
	s.Stats, err = decodeStatsPreferring64(stats64, stats32)
	return s, err
}

// decodeStatsPreferring64 decodes the STATS64 nest when the kernel sent one
// (Linux >= 4.1) and the 32-bit STATS nest otherwise.
func decodeStatsPreferring64(stats64, stats32 []byte) (ops.Stats, error) {
	switch {
	case stats64 != nil:
		return decodeStats(stats64)
	case stats32 != nil:
		return decodeStats(stats32)
	}
	return ops.Stats{}, nil
}

// decodeStats reads an IPVS_STATS_ATTR_* nest; each counter may be u32 or
// u64 (the 32-bit nest carries the byte counters in 64 bits).
func decodeStats(b []byte) (ops.Stats, error) {
	var st ops.Stats
	a := newAttrs(b)
	for a.next() {
		var p *uint64
		switch a.typ {
		case statsAttrConns:
			p = &st.Conns
		case statsAttrInPkts:
			p = &st.InPkts
		case statsAttrOutPkts:
			p = &st.OutPkts
		case statsAttrInBytes:
			p = &st.InBytes
		case statsAttrOutBytes:
			p = &st.OutBytes
		case statsAttrCPS:
			p = &st.CPS
		case statsAttrInPPS:
			p = &st.InPPS
		case statsAttrOutPPS:
			p = &st.OutPPS
		case statsAttrInBPS:
			p = &st.InBPS
		case statsAttrOutBPS:
			p = &st.OutBPS
		default:
			continue // IPVS_STATS_ATTR_PAD and future counters
		}
		v, err := getUint("stats counter", a.val)
		if err != nil {
			return ops.Stats{}, err
		}
		*p = v
	}
	return st, a.err
}

// serviceFromReply decodes the service nest of a NEW_SERVICE reply.
func serviceFromReply(attrs []byte) (ops.Service, error) {
	a := newAttrs(attrs)
	for a.next() {
		if a.typ == cmdAttrService {
			return decodeService(a.val)
		}
	}
	if a.err != nil {
		return ops.Service{}, a.err
	}
	return ops.Service{}, errors.New("reply without a service")
}

// Services dumps every virtual service (IPVS_CMD_GET_SERVICE, NLM_F_DUMP).
func (k *Kernel) Services(ctx context.Context) ([]ops.Service, error) {
	var out []ops.Service
	err := k.dump(ctx, ops.OpGetServices, cmdGetService, nil, func(cmd uint8, attrs []byte) error {
		if cmd != cmdNewService {
			return nil
		}
		s, err := serviceFromReply(attrs)
		if err != nil {
			return fmt.Errorf("decoding service: %w", err)
		}
		out = append(out, s)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Service fetches one service by key; the kernel answers ESRCH when there
// is none.
func (k *Kernel) Service(ctx context.Context, key ops.ServiceKey) (ops.Service, error) {
	var (
		s     ops.Service
		found bool
	)
	err := k.get(ctx, ops.OpGetService, cmdGetService,
		func(e *encoder) error { return putServiceKey(e, key) },
		func(cmd uint8, attrs []byte) error {
			if cmd != cmdNewService || found {
				return nil
			}
			var err error
			s, err = serviceFromReply(attrs)
			if err != nil {
				return fmt.Errorf("decoding service: %w", err)
			}
			found = true
			return nil
		})
	if err != nil {
		return ops.Service{}, err
	}
	if !found {
		return ops.Service{}, &ops.KernelError{Op: ops.OpGetService, Err: errors.New("kernel sent no service")}
	}
	return s, nil
}

// AddService creates a virtual service (IPVS_CMD_NEW_SERVICE).
func (k *Kernel) AddService(ctx context.Context, s ops.Service) error {
	return k.set(ctx, ops.OpAddService, cmdNewService, func(e *encoder) error { return putService(e, s) })
}

// EditService changes a virtual service (IPVS_CMD_SET_SERVICE).
func (k *Kernel) EditService(ctx context.Context, s ops.Service) error {
	return k.set(ctx, ops.OpEditService, cmdSetService, func(e *encoder) error { return putService(e, s) })
}

// DelService deletes a virtual service (IPVS_CMD_DEL_SERVICE).
func (k *Kernel) DelService(ctx context.Context, key ops.ServiceKey) error {
	return k.set(ctx, ops.OpDelService, cmdDelService, func(e *encoder) error { return putServiceKey(e, key) })
}

// Flush deletes every service (IPVS_CMD_FLUSH).
func (k *Kernel) Flush(ctx context.Context) error {
	return k.set(ctx, ops.OpFlush, cmdFlush, nil)
}

// Zero zeroes the counters of one service, or of all of them when key is nil
// (IPVS_CMD_ZERO without a service nest).
func (k *Kernel) Zero(ctx context.Context, key *ops.ServiceKey) error {
	var build func(*encoder) error
	if key != nil {
		kk := *key
		build = func(e *encoder) error { return putServiceKey(e, kk) }
	}
	return k.set(ctx, ops.OpZero, cmdZero, build)
}
