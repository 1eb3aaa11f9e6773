package kernel

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/lvsadm/lvsadm/ops"
)

// putDaemon appends the IPVS_CMD_ATTR_DAEMON nest of NEW_DAEMON. Like
// libipvs, the optional settings (Linux >= 4.3) go only when set, so that
// the kernel's defaults apply otherwise.
func putDaemon(e *encoder, d ops.Daemon) error {
	if len(d.McastIfn) > maxString {
		return errors.New("multicast interface name too long")
	}
	n := e.beginNest(cmdAttrDaemon)
	e.putU32(daemonAttrState, d.State)
	e.putString(daemonAttrMcastIfn, d.McastIfn)
	e.putU32(daemonAttrSyncID, d.SyncID)
	if d.SyncMaxLen != 0 {
		e.putU16(daemonAttrSyncMaxLen, d.SyncMaxLen)
	}
	if d.McastGroup != nil {
		if v4 := d.McastGroup.To4(); v4 != nil {
			e.put(daemonAttrMcastGroup, v4)
		} else if v6 := d.McastGroup.To16(); v6 != nil {
			e.put(daemonAttrMcastGroup6, v6)
		} else {
			return fmt.Errorf("bad multicast group %v", d.McastGroup)
		}
	}
	if d.McastPort != 0 {
		e.putU16(daemonAttrMcastPort, d.McastPort)
	}
	if d.McastTTL != 0 {
		e.putU8(daemonAttrMcastTTL, d.McastTTL)
	}
	e.endNest(n)
	return nil
}

// decodeDaemon reads the attributes inside an IPVS_CMD_ATTR_DAEMON nest.
func decodeDaemon(b []byte) (ops.Daemon, error) {
	var (
		d   ops.Daemon
		err error
		a   = newAttrs(b)
	)
	for a.next() && err == nil {
		switch a.typ {
		case daemonAttrState:
			d.State, err = getU32("daemon state", a.val)
		case daemonAttrMcastIfn:
			d.McastIfn = getString(a.val)
		case daemonAttrSyncID:
			d.SyncID, err = getU32("daemon sync id", a.val)
		case daemonAttrSyncMaxLen:
			d.SyncMaxLen, err = getU16("daemon sync maxlen", a.val)
		case daemonAttrMcastGroup:
			d.McastGroup, err = getAddr("daemon multicast group", afInet, a.val)
		case daemonAttrMcastGroup6:
			d.McastGroup, err = getAddr("daemon multicast group", afInet6, a.val)
		case daemonAttrMcastPort:
			d.McastPort, err = getU16("daemon multicast port", a.val)
		case daemonAttrMcastTTL:
			d.McastTTL, err = getU8("daemon multicast ttl", a.val)
		}
	}
	if err == nil {
		err = a.err
	}
	return d, err
}

// Daemons dumps the running sync daemons (IPVS_CMD_GET_DAEMON): none, the
// master, the backup, or both.
func (k *Kernel) Daemons(ctx context.Context) ([]ops.Daemon, error) {
	var out []ops.Daemon
	err := k.dump(ctx, ops.OpGetDaemon, cmdGetDaemon, nil, func(cmd uint8, attrs []byte) error {
		if cmd != cmdNewDaemon {
			return nil
		}
		a := newAttrs(attrs)
		for a.next() {
			if a.typ != cmdAttrDaemon {
				continue
			}
			d, err := decodeDaemon(a.val)
			if err != nil {
				return fmt.Errorf("decoding daemon: %w", err)
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

// StartDaemon starts a sync daemon (IPVS_CMD_NEW_DAEMON). Like StopDaemon
// it sends a barrier behind the command (see requestOpt), so that an answer
// the kernel swallows cannot leave it waiting.
func (k *Kernel) StartDaemon(ctx context.Context, d ops.Daemon) error {
	return k.requestOpt(ctx, ops.OpStartDaemon, cmdNewDaemon, unix.NLM_F_ACK, true,
		func(e *encoder) error { return putDaemon(e, d) }, nil)
}

// StopDaemon stops the sync daemon in state (IPVS_CMD_DEL_DAEMON), which
// needs nothing but the state.
//
// When a thread of the daemon has not run yet (a stop right after a
// start), the kernel's kthread_stop returns -EINTR, stop_sync_thread still
// stops and frees everything and returns that -EINTR, and netlink_rcv_skb
// swallows it: no ack, no error. ipvsadm waits forever then. The barrier
// behind the command detects the silence at once, and since the daemon is
// stopped all the same, StopDaemon reports success.
func (k *Kernel) StopDaemon(ctx context.Context, state uint32) error {
	err := k.requestOpt(ctx, ops.OpStopDaemon, cmdDelDaemon, unix.NLM_F_ACK, true, func(e *encoder) error {
		n := e.beginNest(cmdAttrDaemon)
		e.putU32(daemonAttrState, state)
		e.endNest(n)
		return nil
	}, nil)
	if errors.Is(err, errNoAnswer) {
		return nil
	}
	return err
}
