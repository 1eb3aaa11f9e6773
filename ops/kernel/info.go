package kernel

import (
	"context"
	"errors"

	"github.com/lvsadm/lvsadm/ops"
)

// Info asks for IPVS's version and connection table size
// (IPVS_CMD_GET_INFO).
func (k *Kernel) Info(ctx context.Context) (ops.Info, error) {
	k.mu.Lock()
	cached := k.openInfo
	k.openInfo = nil
	k.mu.Unlock()
	if cached != nil {
		return *cached, nil
	}
	var (
		info ops.Info
		got  bool
	)
	err := k.get(ctx, ops.OpInfo, cmdGetInfo, nil, func(cmd uint8, attrs []byte) error {
		if cmd != cmdSetInfo {
			return nil
		}
		var err error
		info, err = decodeInfo(attrs)
		got = err == nil
		return err
	})
	if err == nil && !got {
		err = &ops.KernelError{Op: ops.OpInfo, Err: errors.New("kernel sent no info")}
	}
	return info, err
}

func decodeInfo(b []byte) (ops.Info, error) {
	var (
		info          ops.Info
		err           error
		hasV, hasSize bool
		a             = newAttrs(b)
	)
	for a.next() && err == nil {
		switch a.typ {
		case infoAttrVersion:
			info.Version, err = getU32("info version", a.val)
			hasV = true
		case infoAttrConnTabSize:
			info.ConnTabSize, err = getU32("info conn table size", a.val)
			hasSize = true
		}
	}
	if err == nil {
		err = a.err
	}
	if err == nil && !(hasV && hasSize) {
		err = errors.New("info reply without version or table size")
	}
	return info, err
}

// Timeouts reads the TCP, TCP FIN and UDP timeouts (IPVS_CMD_GET_CONFIG).
func (k *Kernel) Timeouts(ctx context.Context) (ops.Timeouts, error) {
	var t ops.Timeouts
	err := k.get(ctx, ops.OpGetTimeout, cmdGetConfig, nil, func(cmd uint8, attrs []byte) error {
		if cmd != cmdSetConfig {
			return nil
		}
		var err error
		t, err = decodeTimeouts(attrs)
		return err
	})
	return t, err
}

func decodeTimeouts(b []byte) (ops.Timeouts, error) {
	var (
		t   ops.Timeouts
		err error
		a   = newAttrs(b)
	)
	for a.next() && err == nil {
		switch a.typ {
		case cmdAttrTimeoutTCP:
			t.TCP, err = getU32("tcp timeout", a.val)
		case cmdAttrTimeoutTCPFin:
			t.TCPFin, err = getU32("tcp fin timeout", a.val)
		case cmdAttrTimeoutUDP:
			t.UDP, err = getU32("udp timeout", a.val)
		}
	}
	if err == nil {
		err = a.err
	}
	return t, err
}

// SetTimeouts sets the three timeouts (IPVS_CMD_SET_CONFIG). All three are
// sent, as libipvs does; the kernel leaves a timeout of 0 unchanged.
func (k *Kernel) SetTimeouts(ctx context.Context, t ops.Timeouts) error {
	return k.set(ctx, ops.OpSetTimeout, cmdSetConfig, func(e *encoder) error {
		e.putU32(cmdAttrTimeoutTCP, t.TCP)
		e.putU32(cmdAttrTimeoutTCPFin, t.TCPFin)
		e.putU32(cmdAttrTimeoutUDP, t.UDP)
		return nil
	})
}
