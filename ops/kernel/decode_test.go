package kernel

import (
	"errors"
	"net"
	"reflect"
	"syscall"
	"testing"

	"github.com/lvsadm/lvsadm/ops"
)

func asKernelError(t *testing.T, err error) *ops.KernelError {
	t.Helper()
	var ke *ops.KernelError
	if !errors.As(err, &ke) {
		t.Fatalf("error %v (%T) is not an *ops.KernelError", err, err)
	}
	return ke
}

// stats32 is an IPVS_SVC_ATTR_STATS nest as ip_vs_genl_fill_stats writes
// it: u32 counters, u64 byte counters.
func stats32(typ uint16, base uint32) []byte {
	return nla(typ,
		nla(1, u32(base+1)), nla(2, u32(base+2)), nla(3, u32(base+3)),
		nla(4, u64(uint64(base)+4)), nla(5, u64(uint64(base)+5)),
		nla(6, u32(base+6)), nla(7, u32(base+7)), nla(8, u32(base+8)),
		nla(9, u32(base+9)), nla(10, u32(base+10)))
}

// stats64 is an IPVS_*_ATTR_STATS64 nest: every counter u64.
func stats64(typ uint16, base uint64) []byte {
	var attrs [][]byte
	for i := uint16(1); i <= 10; i++ {
		attrs = append(attrs, nla(i, u64(base+uint64(i))))
	}
	return nla(typ, attrs...)
}

func wantStats(base uint64) ops.Stats {
	return ops.Stats{Conns: base + 1, InPkts: base + 2, OutPkts: base + 3, InBytes: base + 4, OutBytes: base + 5,
		CPS: base + 6, InPPS: base + 7, OutPPS: base + 8, InBPS: base + 9, OutBPS: base + 10}
}

// The kernel's service replies, in three datagrams with stale answers to
// an earlier request mixed in.
func TestServicesDump(t *testing.T) {
	svcTCP := nla(1, // IPVS_CMD_ATTR_SERVICE
		nla(1, u16(2)), nla(2, u16(6)), nla(3, inetAddr(192, 168, 0, 1)), nla(4, be16(443)),
		nla(6, cstr("wlc")), nla(7, u32(0x2), u32(0xffffffff)), nla(8, u32(0)), nla(9, be32(0xffffffff)),
		stats32(10, 100), stats64(12, 1<<40))
	svcFW6 := nla(1,
		nla(1, u16(10)), nla(5, u32(42)),
		nla(6, cstr("sh")), nla(11, cstr("sip")), nla(7, u32(0x1b), u32(0xffffffff)), nla(8, u32(300)), nla(9, u32(64)),
		stats32(10, 7)) // an old kernel: no STATS64
	svcUDP := nla(1,
		nla(1, u16(2)), nla(2, u16(17)), nla(3, inetAddr(10, 0, 0, 53)), nla(4, be16(53)),
		nla(6, cstr("rr")), nla(7, u32(0x6), u32(0x4)), nla(8, u32(0)), nla(9, be32(0xffffff00)))

	k, ft := newFake(func(msgs []sentMsg) [][]byte {
		seq := msgs[0].seq
		return [][]byte{
			cat(nlmsg(testFamily, nlmFMulti, seq-1, genlmsg(1, svcUDP)), nlerr(seq-1, -int32(syscall.EPERM))),
			cat(nlmsg(testFamily, nlmFMulti, seq, genlmsg(1, svcTCP)), nlmsg(testFamily, nlmFMulti, seq, genlmsg(1, svcFW6))),
			cat(nlmsg(0x99, nlmFMulti, seq, genlmsg(1, svcUDP)), nlmsg(testFamily, nlmFMulti, seq, genlmsg(1, svcUDP))),
			nldone(seq),
		}
	})
	got, err := k.Services(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkMsg(t, ft.sent[0][0], 4, fReqDump, nil)
	want := []ops.Service{
		{ServiceKey: ops.ServiceKey{Family: 2, Protocol: 6, Address: net.IPv4(192, 168, 0, 1).To4(), Port: 443},
			Scheduler: "wlc", Flags: 0x2, Netmask: 0xffffffff, Stats: wantStats(1 << 40)},
		{ServiceKey: ops.ServiceKey{Family: 10, FWMark: 42}, Scheduler: "sh", PEName: "sip", Flags: 0x1b, Timeout: 300, Netmask: 64,
			Stats: wantStats(7)},
		{ServiceKey: ops.ServiceKey{Family: 2, Protocol: 17, Address: net.IPv4(10, 0, 0, 53).To4(), Port: 53},
			Scheduler: "rr", Flags: 0x4, Netmask: 0xffffff00},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("services:\n got %+v\nwant %+v", got, want)
	}
}

func TestServiceGet(t *testing.T) {
	key := ops.ServiceKey{Family: ops.AFInet6, Protocol: ops.ProtoTCP, Address: net.ParseIP("2001:db8::1"), Port: 80}
	k, ft := newFake(func(msgs []sentMsg) [][]byte {
		seq := msgs[0].seq
		return [][]byte{cat(
			nlmsg(testFamily, 0, seq, genlmsg(1, nla(1,
				nla(1, u16(10)), nla(2, u16(6)), nla(3, net.ParseIP("2001:db8::1")), nla(4, be16(80)),
				nla(6, cstr("rr")), nla(7, u32(0), u32(0xffffffff)), nla(8, u32(0)), nla(9, u32(128))))),
			nlerr(seq, 0))}
	})
	s, err := k.Service(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Address.Equal(key.Address) || s.Port != 80 || s.Netmask != 128 || s.Scheduler != "rr" {
		t.Errorf("got %+v", s)
	}
	checkMsg(t, ft.sent[0][0], 4, fReqAck, nla(1, nla(1, u16(10)), nla(2, u16(6)), nla(3, net.ParseIP("2001:db8::1")), nla(4, be16(80))))

	k, _ = newFake(func(msgs []sentMsg) [][]byte { return [][]byte{nlerr(msgs[0].seq, -int32(syscall.ESRCH))} })
	_, err = k.Service(ctx, key)
	ke := asKernelError(t, err)
	if ke.Op != ops.OpGetService || ke.Errno != syscall.ESRCH || ke.Err != nil || !errors.Is(err, syscall.ESRCH) {
		t.Errorf("got %#v", ke)
	}
}

func TestDestinationsDump(t *testing.T) {
	key := ops.ServiceKey{Family: ops.AFInet, Protocol: ops.ProtoTCP, Address: net.ParseIP("10.1.2.3"), Port: 80}
	dest6 := nla(2, // IPVS_CMD_ATTR_DEST, as ip_vs_genl_fill_dest orders it
		nla(1, net.ParseIP("2001:db8::7")), nla(2, be16(80)), nla(3, u32(2)), nla(4, u32(5)),
		nla(13, u8(1)), nla(14, be16(6080)), nla(15, u16(2)),
		nla(5, u32(100)), nla(6, u32(10)), nla(7, u32(3)), nla(8, u32(4)), nla(9, u32(5)), nla(11, u16(10)),
		stats32(10, 1), stats64(12, 1<<33))
	destOld := nla(2, // kernel < 3.18: no ADDR_FAMILY, no tunnel, no STATS64
		nla(1, inetAddr(10, 0, 0, 2)), nla(2, be16(8080)), nla(3, u32(0)), nla(4, u32(0xffffffff)),
		nla(5, u32(0)), nla(6, u32(0)), nla(7, u32(0)), nla(8, u32(0)), stats32(10, 0))
	k, ft := newFake(func(msgs []sentMsg) [][]byte {
		seq := msgs[0].seq
		return [][]byte{nlmsg(testFamily, nlmFMulti, seq, genlmsg(1+4, dest6)), nlmsg(testFamily, nlmFMulti, seq, genlmsg(5, destOld)), nldone(seq)}
	})
	got, err := k.Destinations(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	checkMsg(t, ft.sent[0][0], 8, fReqDump, nla(1, nla(1, u16(2)), nla(2, u16(6)), nla(3, inetAddr(10, 1, 2, 3)), nla(4, be16(80))))
	want := []ops.Destination{
		{Family: 10, Address: net.ParseIP("2001:db8::7"), Port: 80, ConnFlags: 2, Weight: 5, UThreshold: 100, LThreshold: 10,
			ActiveConns: 3, InactConns: 4, PersistConns: 5, TunType: 1, TunPort: 6080, TunFlags: 2, Stats: wantStats(1 << 33)},
		{Family: 2, Address: net.IPv4(10, 0, 0, 2).To4(), Port: 8080, ConnFlags: 0, Weight: -1, Stats: wantStats(0)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("destinations:\n got %+v\nwant %+v", got, want)
	}
}

func TestDaemonsInfoTimeouts(t *testing.T) {
	k, _ := newFake(func(msgs []sentMsg) [][]byte {
		m := msgs[0]
		switch m.cmd {
		case cmdGetDaemon:
			return [][]byte{cat(
				nlmsg(testFamily, nlmFMulti, m.seq, genlmsg(9, nla(3,
					nla(1, u32(1)), nla(2, cstr("eth0")), nla(3, u32(5)), nla(4, u16(1472)), nla(7, u16(8848)), nla(8, u8(1)),
					nla(6, net.ParseIP("ff02::1"))))),
				nlmsg(testFamily, nlmFMulti, m.seq, genlmsg(9, nla(3,
					nla(1, u32(2)), nla(2, cstr("eth1")), nla(3, u32(6))))), // kernel < 4.3
				nldone(m.seq))}
		case cmdGetInfo:
			return [][]byte{nlmsg(testFamily, 0, m.seq, genlmsg(14, nla(1, u32(0x010201)), nla(2, u32(4096)))), nlerr(m.seq, 0)}
		case cmdGetConfig:
			return [][]byte{cat(nlmsg(testFamily, 0, m.seq, genlmsg(12, nla(4, u32(900)), nla(5, u32(120)), nla(6, u32(300)))), nlerr(m.seq, 0))}
		}
		return nil
	})
	ds, err := k.Daemons(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []ops.Daemon{
		{State: 1, McastIfn: "eth0", SyncID: 5, SyncMaxLen: 1472, McastGroup: net.ParseIP("ff02::1"), McastPort: 8848, McastTTL: 1},
		{State: 2, McastIfn: "eth1", SyncID: 6},
	}
	if !reflect.DeepEqual(ds, want) {
		t.Errorf("daemons:\n got %+v\nwant %+v", ds, want)
	}
	info, err := k.Info(ctx)
	if err != nil || info != (ops.Info{Version: 0x010201, ConnTabSize: 4096}) {
		t.Errorf("info %+v, %v", info, err)
	}
	to, err := k.Timeouts(ctx)
	if err != nil || to != (ops.Timeouts{TCP: 900, TCPFin: 120, UDP: 300}) {
		t.Errorf("timeouts %+v, %v", to, err)
	}
}

func TestKernelErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply []byte
		errno syscall.Errno
		text  string
	}{
		{"errno", nlerr(0, -int32(syscall.EEXIST)), syscall.EEXIST, "ipvs add-service: file exists"},
		{"ext ack", nlerr(0, -int32(syscall.EINVAL), nla(1, cstr("bad sched"))), syscall.EINVAL, "ipvs add-service: invalid argument: bad sched"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, _ := newFake(func(msgs []sentMsg) [][]byte {
				b := append([]byte(nil), tc.reply...)
				ne.PutUint32(b[8:12], msgs[0].seq)
				return [][]byte{b}
			})
			err := k.AddService(ctx, ops.Service{ServiceKey: ops.ServiceKey{FWMark: 1}, Scheduler: "rr"})
			ke := asKernelError(t, err)
			if ke.Op != ops.OpAddService || ke.Errno != tc.errno || !errors.Is(err, tc.errno) || err.Error() != tc.text {
				t.Errorf("got %#v %q", ke, err.Error())
			}
		})
	}
	// A dump whose NLMSG_DONE carries an error.
	k, _ := newFake(func(msgs []sentMsg) [][]byte {
		b := nldone(msgs[0].seq)
		ne.PutUint32(b[16:20], negErrno(syscall.EPERM))
		return [][]byte{b}
	})
	_, err := k.Services(ctx)
	if ke := asKernelError(t, err); ke.Errno != syscall.EPERM || ke.Op != ops.OpGetServices {
		t.Errorf("got %#v", ke)
	}
}

// Malformed replies give errors, never panics.
func TestMalformedReplies(t *testing.T) {
	svc := nla(1, nla(1, u16(2)), nla(2, u16(6)), nla(3, inetAddr(1, 2, 3, 4)), nla(4, be16(1)),
		nla(6, cstr("rr")), nla(7, u32(0), u32(0)), nla(8, u32(0)), nla(9, be32(0)), stats64(12, 0))
	for n := 0; n < len(svc); n++ {
		b := append([]byte(nil), svc[:n]...)
		if n >= 2 {
			ne.PutUint16(b[0:2], uint16(n)) // nest claims what is there
		}
		_, _ = serviceFromReply(b)
		if n < 4 {
			continue
		}
		a := newAttrs(svc[4:n:n])
		for a.next() {
		}
		_, _ = decodeService(svc[4:n:n])
		_, _ = decodeDest(svc[4:n:n], 2)
		_, _ = decodeDaemon(svc[4:n:n])
		_, _ = decodeStats(svc[4:n:n])
	}
	// Short fixed-size attributes are errors.
	for _, b := range [][]byte{
		cat(nla(1, u16(2)), nla(2, u16(6)), nla(3, []byte{1, 2}), nla(4, be16(1))),
		cat(nla(1, []byte{2})),
		cat(nla(1, u16(10)), nla(5, u32(1)), nla(7, u32(1))),
		cat(nla(1, u16(2)), nla(5, u32(1)), nla(9, []byte{1})),
	} {
		if _, err := decodeService(b); err == nil {
			t.Errorf("decodeService(%x) succeeded", b)
		}
	}
	if _, err := decodeService(cat(nla(6, cstr("rr")))); err == nil {
		t.Error("a service without family decoded")
	}
	if _, err := decodeDest(cat(nla(2, be16(1))), 2); err == nil {
		t.Error("a destination without address decoded")
	}
	// Broken framing from the kernel ends the request with an error.
	k, _ := newFake(func(msgs []sentMsg) [][]byte {
		b := nlmsg(testFamily, nlmFMulti, msgs[0].seq, genlmsg(1))
		ne.PutUint32(b[0:4], 1000)
		return [][]byte{b}
	})
	if _, err := k.Services(ctx); err == nil {
		t.Error("a malformed reply was accepted")
	}
	k, _ = newFake(func(msgs []sentMsg) [][]byte {
		return [][]byte{nlmsg(testFamily, nlmFMulti, msgs[0].seq, genlmsg(1, nla(1, nla(6, cstr("rr"))))), nldone(msgs[0].seq)}
	})
	if _, err := k.Services(ctx); err == nil {
		t.Error("an undecodable service was accepted")
	}
}

func FuzzDecodeService(f *testing.F) {
	f.Add(cat(nla(1, u16(2)), nla(2, u16(6)), nla(3, inetAddr(1, 2, 3, 4)), nla(4, be16(1)), stats32(10, 1)))
	f.Add(cat(nla(1, u16(10)), nla(5, u32(1)), nla(9, u32(64)), stats64(12, 1)))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = decodeService(b)
		_, _ = decodeDest(b, 10)
		_, _ = decodeDaemon(b)
		_, _ = decodeInfo(b)
		_, _ = decodeTimeouts(b)
	})
}

func FuzzParseReply(f *testing.F) {
	f.Add(cat(nlmsg(testFamily, 2, 1, genlmsg(1, nla(1, nla(1, u16(2))))), nldone(1)))
	f.Add(nlerr(1, -1, nla(1, cstr("x"))))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, _ := newFake(nil)
		var dataErr error
		_, _, _ = k.parse(b, 0, 5, func(uint32, uint8, []byte) error { return nil }, func(uint32, *nlError) {}, &dataErr)
	})
}

func negErrno(e syscall.Errno) uint32 { return uint32(-int32(e)) }
