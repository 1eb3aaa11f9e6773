package kernel

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netlink/nl"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/lvsadm/lvsadm/ops"
)

// These tests use a real NETLINK_GENERIC socket of the running kernel,
// which needs no IPVS: the generic netlink controller answers for itself.

const genlIDCtrl = 0x10 // GENL_ID_CTRL

func realKernel(t *testing.T, family uint16) *Kernel {
	t.Helper()
	sock, err := nl.GetNetlinkSocketAt(netns.None(), netns.None(), unix.NETLINK_GENERIC)
	if err != nil {
		t.Skipf("no generic netlink here: %v", err)
	}
	tr := &sockTransport{sock: sock, fd: sock.GetFd()}
	tuneSocket(tr.fd)
	k := newKernel(tr, family)
	t.Cleanup(func() { k.Close() })
	return k
}

// A message the kernel never answers (NLMSG_NOOP without NLM_F_ACK): the
// read gives up after the timeout instead of hanging (os.ErrDeadlineExceeded:
// ctx has no deadline; the lower bound holds however slow the machine).
func TestSocketSilenceTimesOut(t *testing.T) {
	k := realKernel(t, genlIDCtrl)
	k.Timeout = 150 * time.Millisecond
	k.enc.reset()
	seq := k.nextSeq()
	start := k.enc.beginMsg(unix.NLMSG_NOOP, unix.NLM_F_REQUEST, seq, 0, 0)
	k.enc.endMsg(start)
	t0 := time.Now()
	err := k.exchange(ctx, seq, seq, nil, nil)
	if el := time.Since(t0); el < 150*time.Millisecond {
		t.Errorf("returned after %v, before the timeout", el)
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	// The socket still works afterwards.
	if n := ctrlFamilies(t, k); n == 0 {
		t.Error("no families after a timeout")
	}
}

// A request to a family id that does not exist: the kernel answers ENOENT,
// which comes back as a KernelError with that errno.
func TestSocketBogusFamily(t *testing.T) {
	k := realKernel(t, 0xfff0)
	err := k.Flush(ctx)
	ke := asKernelError(t, err)
	if ke.Op != ops.OpFlush || ke.Errno != syscall.ENOENT {
		t.Errorf("got %#v", ke)
	}
}

// ctrlFamilies dumps the controller's families (a multi-part reply ended by
// NLMSG_DONE) through exchange and returns how many it saw.
func ctrlFamilies(t *testing.T, k *Kernel) int {
	t.Helper()
	k.enc.reset()
	seq := k.nextSeq()
	start := k.enc.beginMsg(genlIDCtrl, unix.NLM_F_REQUEST|unix.NLM_F_DUMP, seq, unix.CTRL_CMD_GETFAMILY, 1)
	k.enc.endMsg(start)
	names := map[string]bool{}
	err := k.exchange(ctx, seq, seq, func(_ uint32, cmd uint8, b []byte) error {
		a := newAttrs(b)
		for a.next() {
			if a.typ == unix.CTRL_ATTR_FAMILY_NAME {
				names[getString(a.val)] = true
			}
		}
		return a.err
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !names["nlctrl"] {
		t.Errorf("families %v lack nlctrl", names)
	}
	return len(names)
}

// countingTransport counts datagrams.
type countingTransport struct {
	transport
	reads int
}

func (c *countingTransport) recv(ctx context.Context, b []byte, deadline time.Time) (int, error) {
	n, err := c.transport.recv(ctx, b, deadline)
	if err == nil {
		c.reads++
	}
	return n, err
}

func TestSocketDump(t *testing.T) {
	k := realKernel(t, genlIDCtrl)
	ct := &countingTransport{transport: k.tr}
	k.tr = ct
	if n := ctrlFamilies(t, k); n < 2 {
		t.Errorf("%d families", n)
	}
	// The kernel's first dump part is a page at most, so a dump of all
	// families comes in several datagrams (then NLMSG_DONE).
	if ct.reads < 2 {
		t.Errorf("dump came in %d datagrams; the multi-part path was not exercised", ct.reads)
	}
	if n := ctrlFamilies(t, k); n < 2 {
		t.Errorf("second dump: %d families", n)
	}
	t.Logf("%d datagrams for two dumps", ct.reads)
}

// Without IPVS, Open fails with ops.ErrNoIPVS, and runs modprobe first
// unless told not to.
func TestOpenWithoutIPVS(t *testing.T) {
	if _, err := resolveFamily(); err == nil {
		t.Skip("this kernel has IPVS")
	} else if !errors.Is(err, ops.ErrNoIPVS) {
		t.Skipf("cannot resolve families here: %v", err)
	}
	_, err := OpenWith(Options{NoModprobe: true})
	ke := asKernelError(t, err)
	if ke.Op != ops.OpOpen || !errors.Is(err, ops.ErrNoIPVS) {
		t.Errorf("got %#v", ke)
	}

	dir := t.TempDir()
	log := filepath.Join(dir, "args")
	script := filepath.Join(dir, "modprobe")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"$@\" > "+log+"\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	old := modprobePath
	modprobePath = script
	defer func() { modprobePath = old }()
	_, err = Open()
	if !errors.Is(err, ops.ErrNoIPVS) {
		t.Errorf("got %v", err)
	}
	args, rerr := os.ReadFile(log)
	if rerr != nil || string(args) != "-- ip_vs\n" {
		t.Errorf("modprobe ran with %q (%v)", args, rerr)
	}
}

// The kernel answers a barrier (NLMSG_NOOP with NLM_F_ACK) after handling
// what came before it in the same send: a command it handled silently (here
// a NOOP without NLM_F_ACK) is detected without waiting for a timeout
// (errNoAnswer, where the minute's timeout would be os.ErrDeadlineExceeded).
func TestSocketBarrier(t *testing.T) {
	k := realKernel(t, unix.NLMSG_NOOP)
	k.Timeout = time.Minute
	err := k.requestOpt(ctx, "noop", 0, 0, true, nil, nil)
	if !errors.Is(err, errNoAnswer) {
		t.Fatalf("got %v", err)
	}
	// With NLM_F_ACK the command's own ack comes first.
	if err := k.requestOpt(ctx, "noop", 0, unix.NLM_F_ACK, true, nil, nil); err != nil {
		t.Errorf("acked noop: %v", err)
	}
}
