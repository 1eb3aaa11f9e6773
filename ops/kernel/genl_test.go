package kernel

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/ops"
)

// A kernel that never answers: the request fails after Kernel.Timeout
// (the context has no deadline, so os.ErrDeadlineExceeded is that
// timeout's; a timer never fires early, so the lower bound holds however
// slow the machine).
func TestSilentKernelTimesOut(t *testing.T) {
	k, _ := newFake(nil)
	k.Timeout = 100 * time.Millisecond
	start := time.Now()
	_, err := k.Info(context.Background())
	if el := time.Since(start); el < 100*time.Millisecond {
		t.Errorf("returned after %v, before the timeout", el)
	}
	ke := asKernelError(t, err)
	if ke.Op != ops.OpInfo || ke.Errno != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("got %#v", ke)
	}
}

// The context's deadline, when earlier, wins over Kernel.Timeout (an
// hour: the error says which ended the wait), and a cancelled context
// ends the wait.
func TestContextEndsWait(t *testing.T) {
	k, _ := newFake(nil)
	k.Timeout = time.Hour
	c, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := k.Flush(c)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v", err)
	}

	c, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := k.Services(c); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v", err)
	}
	if err := k.Flush(c); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: got %v", err)
	}
}

// After a timed-out request the late answer is skipped and the next
// request gets its own.
func TestLateAnswersSkipped(t *testing.T) {
	var pending [][]byte
	calls := 0
	k, _ := newFake(func(msgs []sentMsg) [][]byte {
		calls++
		seq := msgs[0].seq
		if calls == 1 { // answered only after the caller gave up
			pending = [][]byte{nlmsg(testFamily, 0, seq, genlmsg(14, nla(1, u32(1)), nla(2, u32(1)))), nlerr(seq, 0)}
			return nil
		}
		return append(pending, nlmsg(testFamily, 0, seq, genlmsg(14, nla(1, u32(0x010201)), nla(2, u32(4096)))), nlerr(seq, 0))
	})
	k.Timeout = 30 * time.Millisecond
	if _, err := k.Info(ctx); err == nil {
		t.Fatal("first request did not time out")
	}
	info, err := k.Info(ctx)
	if err != nil || info.ConnTabSize != 4096 {
		t.Fatalf("got %+v, %v", info, err)
	}
}

// A request that ended early leaves the socket dirty; the next drains it.
func TestDrainAfterDecodeError(t *testing.T) {
	k, ft := newFake(func(msgs []sentMsg) [][]byte {
		seq := msgs[0].seq
		if msgs[0].cmd == cmdGetService {
			return [][]byte{nlmsg(testFamily, 0xffff, seq, genlmsg(1))} // then silence
		}
		return ackAll(msgs)
	})
	k.Timeout = 30 * time.Millisecond
	if _, err := k.Services(ctx); err == nil {
		t.Fatal("want a timeout")
	}
	ft.queue = append(ft.queue, nldone(1), nldone(2)) // the rest of the old dump
	if err := k.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if len(ft.queue) != 0 || k.dirty {
		t.Errorf("queue %d, dirty %v", len(ft.queue), k.dirty)
	}
}

func TestClosed(t *testing.T) {
	k, _ := newFake(ackAll)
	if err := k.Close(); err != nil {
		t.Fatal(err)
	}
	if err := k.Flush(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("got %v", err)
	}
	if err := k.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
}

// The daemon commands go with a barrier; an answer the kernel swallows
// (-EINTR from kthread_stop) is detected at once.
func TestDaemonBarrier(t *testing.T) {
	onlyBarrier := func(msgs []sentMsg) [][]byte {
		if len(msgs) != 2 || msgs[1].typ != 1 || msgs[1].flags != fReqAck || msgs[0].flags != fReqAck {
			t.Errorf("not a command and a barrier: %+v", msgs)
			return nil
		}
		return [][]byte{nlerr(msgs[1].seq, 0)}
	}
	k, _ := newFake(onlyBarrier)
	k.Timeout = time.Hour
	if err := k.StopDaemon(ctx, ops.DaemonBackup); err != nil {
		t.Errorf("stop with a swallowed answer: %v", err)
	}
	err := k.StartDaemon(ctx, ops.Daemon{State: ops.DaemonMaster, McastIfn: "eth0"})
	if ke := asKernelError(t, err); ke.Errno != syscall.EINTR || ke.Op != ops.OpStartDaemon {
		t.Errorf("start with a swallowed answer: %#v", ke)
	}

	k, _ = newFake(func(msgs []sentMsg) [][]byte {
		return [][]byte{cat(nlerr(msgs[0].seq, -int32(syscall.ESRCH)), nlerr(msgs[1].seq, 0))}
	})
	if err := k.StopDaemon(ctx, ops.DaemonBackup); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("stop of no daemon: %v", err)
	}
	k, _ = newFake(ackAll)
	if err := k.StopDaemon(ctx, ops.DaemonBackup); err != nil {
		t.Errorf("stop: %v", err)
	}
}
