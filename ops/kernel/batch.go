package kernel

import (
	"context"
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/lvsadm/lvsadm/ops"
)

// ChangeKind is what a Change does.
type ChangeKind uint8

// The changes Batch can carry.
const (
	AddService ChangeKind = iota + 1
	EditService
	DelService
	AddDest
	EditDest
	DelDest
	Flush
)

// Change is one table change of a Batch. Service is the service to add or
// edit, or (its ServiceKey) the one to delete or whose destination Dest is.
type Change struct {
	Kind    ChangeKind
	Service ops.Service
	Dest    ops.Destination
}

func (c ChangeKind) op() ops.Op {
	switch c {
	case AddService:
		return ops.OpAddService
	case EditService:
		return ops.OpEditService
	case DelService:
		return ops.OpDelService
	case AddDest:
		return ops.OpAddDest
	case EditDest:
		return ops.OpEditDest
	case DelDest:
		return ops.OpDelDest
	case Flush:
		return ops.OpFlush
	}
	return ops.Op(fmt.Sprintf("change-%d", c))
}

// encodeChange appends the message of c with sequence number seq.
func (k *Kernel) encodeChange(c Change, seq uint32) error {
	var (
		cmd   uint8
		build func(*encoder) error
	)
	switch c.Kind {
	case AddService, EditService:
		cmd = cmdNewService
		if c.Kind == EditService {
			cmd = cmdSetService
		}
		build = func(e *encoder) error { return putService(e, c.Service) }
	case DelService:
		cmd = cmdDelService
		build = func(e *encoder) error { return putServiceKey(e, c.Service.ServiceKey) }
	case AddDest, EditDest, DelDest:
		cmd = cmdNewDest
		if c.Kind == EditDest {
			cmd = cmdSetDest
		} else if c.Kind == DelDest {
			cmd = cmdDelDest
		}
		build = func(e *encoder) error { return putDestMsg(e, cmd, c.Service.ServiceKey, c.Dest) }
	case Flush:
		cmd = cmdFlush
	default:
		return fmt.Errorf("unknown change kind %d", c.Kind)
	}
	mark := len(k.enc.b)
	start := k.enc.beginMsg(k.family, unix.NLM_F_REQUEST, seq, cmd, genlVersion)
	if build != nil {
		if err := build(&k.enc); err != nil {
			k.enc.b = k.enc.b[:mark]
			return err
		}
	}
	k.enc.endMsg(start)
	return nil
}

// maxChunkBytes keeps one send well inside the default socket send buffer.
const maxChunkBytes = 64 << 10

// Batch applies changes in order, sending many per system call and
// collecting the kernel's answers together: within a chunk only the last
// message asks for an ack, and the kernel answers the others only when they
// fail (it carries on with the rest, as ipvsadm -R does). errs is nil when
// every change succeeded, otherwise it has one entry per change, nil for
// those that succeeded and an *ops.KernelError for the others. err reports
// a failure of the exchange itself (timeout, socket error); the changes of
// the chunk in flight then may or may not have been applied.
func (k *Kernel) Batch(ctx context.Context, changes []Change) (errs []error, err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		return nil, &ops.KernelError{Op: "batch", Err: ErrClosed}
	}
	fail := func(i int, e error) {
		if errs == nil {
			errs = make([]error, len(changes))
		}
		errs[i] = e
	}
	for i := 0; i < len(changes); {
		k.enc.reset()
		var (
			first = k.seq + 1
			index []int // change index of each message in the chunk
		)
		for ; i < len(changes) && len(index) < k.maxBatch && len(k.enc.b) < maxChunkBytes; i++ {
			seq := k.seq + 1
			if e := k.encodeChange(changes[i], seq); e != nil {
				fail(i, &ops.KernelError{Op: changes[i].Kind.op(), Err: e})
				continue
			}
			k.seq = seq
			index = append(index, i)
		}
		if len(index) == 0 {
			continue
		}
		// Only the chunk's last message asks for an ack; its answer (ack or
		// error) ends the exchange, after the errors of the others.
		k.setAckOnLast()
		lastSeq := k.seq
		onAnswer := func(seq uint32, ne *nlError) {
			if ne != nil {
				j := index[seq-first]
				fail(j, kernelError(changes[j].Kind.op(), ne))
			}
		}
		xerr := k.exchange(ctx, first, lastSeq, nil, onAnswer)
		if ne, ok := xerr.(*nlError); ok {
			j := index[len(index)-1]
			fail(j, kernelError(changes[j].Kind.op(), ne))
		} else if xerr != nil {
			return errs, &ops.KernelError{Op: "batch", Err: xerr}
		}
	}
	return errs, nil
}

// setAckOnLast sets NLM_F_ACK on the last message in the encoder.
func (k *Kernel) setAckOnLast() {
	b := k.enc.b
	last := 0
	for off := 0; off+nlmsgHdrLen <= len(b); {
		l := int(native.Uint32(b[off : off+4]))
		if l < nlmsgHdrLen {
			return
		}
		last = off
		off += align4(l)
	}
	fl := native.Uint16(b[last+6:last+8]) | unix.NLM_F_ACK
	native.PutUint16(b[last+6:last+8], fl)
}
