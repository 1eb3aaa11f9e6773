package kernel

import (
	"context"
	"errors"
	"fmt"

	"github.com/lvsadm/lvsadm/ops"
)

// putDest appends an IPVS_CMD_ATTR_DEST nest. Add and edit need the full
// entry; delete only ADDR and PORT. ADDR_FAMILY is always sent (kernels
// before 3.18 ignore it); the tunnel attributes (Linux >= 5.2) go only with
// tunnel forwarding or when set.
func putDest(e *encoder, d ops.Destination, svcAF uint16, full bool) error {
	af := d.FamilyIn(svcAF)
	n := e.beginNest(cmdAttrDest)
	if err := putAddr(e, destAttrAddr, af, d.Address); err != nil {
		return fmt.Errorf("destination address: %w", err)
	}
	e.putBE16(destAttrPort, d.Port)
	e.putU16(destAttrAddrFamily, af)
	if full {
		e.putU32(destAttrFwdMethod, d.ConnFlags&ops.FwdMask)
		e.putU32(destAttrWeight, uint32(d.Weight))
		e.putU32(destAttrUThresh, d.UThreshold)
		e.putU32(destAttrLThresh, d.LThreshold)
		if d.ConnFlags&ops.FwdMask == ops.FwdTunnel || d.TunType != 0 || d.TunPort != 0 || d.TunFlags != 0 {
			e.putU8(destAttrTunType, d.TunType)
			e.putBE16(destAttrTunPort, d.TunPort)
			e.putU16(destAttrTunFlags, d.TunFlags)
		}
	}
	e.endNest(n)
	return nil
}

// decodeDest reads the attributes inside an IPVS_CMD_ATTR_DEST nest; svcAF
// is the service's family, the destination's own when the kernel does not
// say (before 3.18).
func decodeDest(b []byte, svcAF uint16) (ops.Destination, error) {
	var (
		d                ops.Destination
		addr             []byte
		havePort         bool
		stats32, stats64 []byte
		weight           uint32
		err              error
		a                = newAttrs(b)
	)
	for a.next() && err == nil {
		switch a.typ {
		case destAttrAddr:
			addr = a.val
		case destAttrPort:
			d.Port, err = getBE16("destination port", a.val)
			havePort = true
		case destAttrFwdMethod:
			d.ConnFlags, err = getU32("destination forwarding method", a.val)
		case destAttrWeight:
			weight, err = getU32("destination weight", a.val)
			d.Weight = int32(weight)
		case destAttrUThresh:
			d.UThreshold, err = getU32("destination upper threshold", a.val)
		case destAttrLThresh:
			d.LThreshold, err = getU32("destination lower threshold", a.val)
		case destAttrActiveConns:
			d.ActiveConns, err = getU32("destination active connections", a.val)
		case destAttrInactConns:
			d.InactConns, err = getU32("destination inactive connections", a.val)
		case destAttrPersistConns:
			d.PersistConns, err = getU32("destination persistent connections", a.val)
		case destAttrStats:
			stats32 = a.val
		case destAttrStats64:
			stats64 = a.val
		case destAttrAddrFamily:
			d.Family, err = getU16("destination address family", a.val)
		case destAttrTunType:
			d.TunType, err = getU8("destination tunnel type", a.val)
		case destAttrTunPort:
			d.TunPort, err = getBE16("destination tunnel port", a.val)
		case destAttrTunFlags:
			d.TunFlags, err = getU16("destination tunnel flags", a.val)
		}
	}
	if err == nil {
		err = a.err
	}
	if err != nil {
		return ops.Destination{}, err
	}
	if addr == nil || !havePort {
		return ops.Destination{}, errors.New("destination without address or port")
	}
	if d.Family == 0 {
		d.Family = svcAF
	}
	if d.Address, err = getAddr("destination address", d.Family, addr); err != nil {
		return ops.Destination{}, err
	}
	d.Stats, err = decodeStatsPreferring64(stats64, stats32)
	return d, err
}

// Destinations dumps the real servers of one service (IPVS_CMD_GET_DEST
// with NLM_F_DUMP and a service nest). Like the kernel, it returns an empty
// list, not an error, when the service does not exist.
func (k *Kernel) Destinations(ctx context.Context, key ops.ServiceKey) ([]ops.Destination, error) {
	af := key.AddrFamily()
	var out []ops.Destination
	err := k.dump(ctx, ops.OpGetDests, cmdGetDest,
		func(e *encoder) error { return putServiceKey(e, key) },
		func(cmd uint8, attrs []byte) error {
			if cmd != cmdNewDest {
				return nil
			}
			a := newAttrs(attrs)
			for a.next() {
				if a.typ != cmdAttrDest {
					continue
				}
				d, err := decodeDest(a.val, af)
				if err != nil {
					return fmt.Errorf("decoding destination: %w", err)
				}
				out = append(out, d)
			}
			return a.err
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (k *Kernel) destCmd(ctx context.Context, op ops.Op, cmd uint8, key ops.ServiceKey, d ops.Destination) error {
	return k.set(ctx, op, cmd, func(e *encoder) error { return putDestMsg(e, cmd, key, d) })
}

// putDestMsg appends the service key and destination of a destination
// command.
func putDestMsg(e *encoder, cmd uint8, key ops.ServiceKey, d ops.Destination) error {
	if err := putServiceKey(e, key); err != nil {
		return err
	}
	return putDest(e, d, key.AddrFamily(), cmd != cmdDelDest)
}

// AddDestination adds a real server to a service (IPVS_CMD_NEW_DEST).
func (k *Kernel) AddDestination(ctx context.Context, key ops.ServiceKey, d ops.Destination) error {
	return k.destCmd(ctx, ops.OpAddDest, cmdNewDest, key, d)
}

// EditDestination changes a real server (IPVS_CMD_SET_DEST).
func (k *Kernel) EditDestination(ctx context.Context, key ops.ServiceKey, d ops.Destination) error {
	return k.destCmd(ctx, ops.OpEditDest, cmdSetDest, key, d)
}

// DelDestination removes a real server (IPVS_CMD_DEL_DEST).
func (k *Kernel) DelDestination(ctx context.Context, key ops.ServiceKey, d ops.Destination) error {
	return k.destCmd(ctx, ops.OpDelDest, cmdDelDest, key, d)
}
