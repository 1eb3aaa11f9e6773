package kernel

import (
	"bytes"
	"context"
	"net"
	"reflect"
	"testing"

	"github.com/lvsadm/lvsadm/ops"
)

// sentOne runs fn against a fake kernel that acks everything and returns
// the one message fn sent.
func sentOne(t *testing.T, fn func(k *Kernel) error) sentMsg {
	t.Helper()
	k, ft := newFake(ackAll)
	if err := fn(k); err != nil {
		t.Fatalf("request failed: %v", err)
	}
	if len(ft.sent) != 1 {
		t.Fatalf("sent %d buffers, want one", len(ft.sent))
	}
	msgs := ft.sent[0]
	if len(msgs) == 2 && msgs[1].typ == 1 && msgs[1].flags == fReqAck { // a barrier
		msgs = msgs[:1]
	}
	if len(msgs) != 1 {
		t.Fatalf("sent %d messages, want one", len(msgs))
	}
	return msgs[0]
}

func checkMsg(t *testing.T, got sentMsg, cmd uint8, flags uint16, attrs []byte) {
	t.Helper()
	if got.typ != testFamily || got.cmd != cmd || got.flags != flags {
		t.Errorf("header: family %#x cmd %d flags %#x, want %#x %d %#x", got.typ, got.cmd, got.flags, testFamily, cmd, flags)
	}
	if !bytes.Equal(got.attrs, attrs) {
		t.Errorf("attributes:\n got %x\nwant %x", got.attrs, attrs)
	}
}

const (
	fReqAck  = 0x1 | 0x4   // NLM_F_REQUEST | NLM_F_ACK
	fReqDump = 0x1 | 0x300 // NLM_F_REQUEST | NLM_F_DUMP
)

var ctx = context.Background()

func TestAddServiceWire(t *testing.T) {
	s := ops.Service{
		ServiceKey: ops.ServiceKey{Family: ops.AFInet, Protocol: ops.ProtoTCP, Address: net.ParseIP("10.1.2.3"), Port: 80},
		Scheduler:  "rr",
		Flags:      ops.SvcPersistent,
		Timeout:    300,
		Netmask:    0xffffff00,
	}
	got := sentOne(t, func(k *Kernel) error { return k.AddService(ctx, s) })
	checkMsg(t, got, 1, fReqAck, nla(1,
		nla(1, u16(2)),
		nla(2, u16(6)),
		nla(3, inetAddr(10, 1, 2, 3)),
		nla(4, be16(80)),
		nla(6, cstr("rr")),
		nla(7, u32(1), u32(0xffffffff)),
		nla(8, u32(300)),
		nla(9, be32(0xffffff00)),
	))
}

func TestEditServiceIPv6FWMarkWire(t *testing.T) {
	s := ops.Service{
		ServiceKey: ops.ServiceKey{Family: ops.AFInet6, FWMark: 7},
		Scheduler:  "sh",
		PEName:     "sip",
		Flags:      ops.SvcSchedShPort | ops.SvcSchedShFallback,
		Netmask:    64,
	}
	got := sentOne(t, func(k *Kernel) error { return k.EditService(ctx, s) })
	checkMsg(t, got, 2, fReqAck, nla(1,
		nla(1, u16(10)),
		nla(5, u32(7)),
		nla(6, cstr("sh")),
		nla(11, cstr("sip")),
		nla(7, u32(0x18), u32(0xffffffff)),
		nla(8, u32(0)),
		nla(9, u32(64)), // prefix length, read raw by the kernel
	))
}

func TestServiceKeyOnlyWire(t *testing.T) {
	key := ops.ServiceKey{Protocol: ops.ProtoUDP, Address: net.ParseIP("2001:db8::1"), Port: 53}
	v6 := net.ParseIP("2001:db8::1")
	want := nla(1, nla(1, u16(10)), nla(2, u16(17)), nla(3, v6), nla(4, be16(53)))
	checkMsg(t, sentOne(t, func(k *Kernel) error { return k.DelService(ctx, key) }), 3, fReqAck, want)
	checkMsg(t, sentOne(t, func(k *Kernel) error { return k.Zero(ctx, &key) }), 16, fReqAck, want)
	checkMsg(t, sentOne(t, func(k *Kernel) error { return k.Zero(ctx, nil) }), 16, fReqAck, nil)
	checkMsg(t, sentOne(t, func(k *Kernel) error { return k.Flush(ctx) }), 17, fReqAck, nil)
}

func TestDestWire(t *testing.T) {
	key := ops.ServiceKey{Family: ops.AFInet, Protocol: ops.ProtoTCP, Address: net.ParseIP("10.1.2.3"), Port: 80}
	svcNest := nla(1, nla(1, u16(2)), nla(2, u16(6)), nla(3, inetAddr(10, 1, 2, 3)), nla(4, be16(80)))

	masq := ops.Destination{Address: net.ParseIP("10.0.0.2"), Port: 8080, ConnFlags: ops.FwdMasq, Weight: 3, UThreshold: 100, LThreshold: 10}
	checkMsg(t, sentOne(t, func(k *Kernel) error { return k.AddDestination(ctx, key, masq) }), 5, fReqAck, cat(svcNest, nla(2,
		nla(1, inetAddr(10, 0, 0, 2)),
		nla(2, be16(8080)),
		nla(11, u16(2)),
		nla(3, u32(0)),
		nla(4, u32(3)),
		nla(5, u32(100)),
		nla(6, u32(10)),
	)))

	// A GUE tunnel to an IPv6 server under an IPv4 service.
	tun := ops.Destination{Family: ops.AFInet6, Address: net.ParseIP("2001:db8::2"), Port: 80, ConnFlags: ops.FwdTunnel,
		Weight: 1, TunType: ops.TunGUE, TunPort: 6080, TunFlags: ops.TunFlagCsum}
	checkMsg(t, sentOne(t, func(k *Kernel) error { return k.EditDestination(ctx, key, tun) }), 6, fReqAck, cat(svcNest, nla(2,
		nla(1, net.ParseIP("2001:db8::2")),
		nla(2, be16(80)),
		nla(11, u16(10)),
		nla(3, u32(2)),
		nla(4, u32(1)),
		nla(5, u32(0)),
		nla(6, u32(0)),
		nla(13, u8(1)),
		nla(14, be16(6080)),
		nla(15, u16(1)),
	)))

	checkMsg(t, sentOne(t, func(k *Kernel) error { return k.DelDestination(ctx, key, masq) }), 7, fReqAck, cat(svcNest, nla(2,
		nla(1, inetAddr(10, 0, 0, 2)),
		nla(2, be16(8080)),
		nla(11, u16(2)),
	)))
}

func TestDaemonAndConfigWire(t *testing.T) {
	d := ops.Daemon{State: ops.DaemonMaster, McastIfn: "eth1", SyncID: 9, SyncMaxLen: 1400,
		McastGroup: net.ParseIP("239.1.2.3"), McastPort: 8848, McastTTL: 2}
	checkMsg(t, sentOne(t, func(k *Kernel) error { return k.StartDaemon(ctx, d) }), 9, fReqAck, nla(3,
		nla(1, u32(1)),
		nla(2, cstr("eth1")),
		nla(3, u32(9)),
		nla(4, u16(1400)),
		nla(5, []byte{239, 1, 2, 3}),
		nla(7, u16(8848)),
		nla(8, u8(2)),
	))
	plain := ops.Daemon{State: ops.DaemonBackup, McastIfn: "eth0", SyncID: 0, McastGroup: net.ParseIP("ff02::1234")}
	checkMsg(t, sentOne(t, func(k *Kernel) error { return k.StartDaemon(ctx, plain) }), 9, fReqAck, nla(3,
		nla(1, u32(2)),
		nla(2, cstr("eth0")),
		nla(3, u32(0)),
		nla(6, net.ParseIP("ff02::1234")),
	))
	checkMsg(t, sentOne(t, func(k *Kernel) error { return k.StopDaemon(ctx, ops.DaemonBackup) }), 10, fReqAck,
		nla(3, nla(1, u32(2))))
	checkMsg(t, sentOne(t, func(k *Kernel) error { return k.SetTimeouts(ctx, ops.Timeouts{TCP: 900, TCPFin: 120, UDP: 300}) }), 12, fReqAck,
		cat(nla(4, u32(900)), nla(5, u32(120)), nla(6, u32(300))))
}

func TestEncodeErrors(t *testing.T) {
	k, ft := newFake(ackAll)
	bad := ops.Service{ServiceKey: ops.ServiceKey{Family: ops.AFInet, Protocol: ops.ProtoTCP, Address: net.ParseIP("2001:db8::1"), Port: 1}, Scheduler: "rr"}
	err := k.AddService(ctx, bad)
	ke := asKernelError(t, err)
	if ke.Op != ops.OpAddService || ke.Errno != 0 || ke.Err == nil {
		t.Errorf("got %+v", ke)
	}
	if len(ft.sent) != 0 {
		t.Errorf("sent %d buffers for an invalid request", len(ft.sent))
	}
}

// The encoder's output decodes to what was encoded.
func TestServiceRoundTrip(t *testing.T) {
	for _, s := range []ops.Service{
		{ServiceKey: ops.ServiceKey{Family: ops.AFInet, Protocol: ops.ProtoTCP, Address: net.ParseIP("10.1.2.3").To4(), Port: 80}, Scheduler: "wlc", Netmask: 0xffffffff},
		{ServiceKey: ops.ServiceKey{Family: ops.AFInet6, Protocol: ops.ProtoSCTP, Address: net.ParseIP("2001:db8::5"), Port: 5060}, Scheduler: "mh", PEName: "sip", Flags: 0x19, Timeout: 60, Netmask: 96},
		{ServiceKey: ops.ServiceKey{Family: ops.AFInet, FWMark: 0xdead}, Scheduler: "rr", Flags: ops.SvcPersistent, Timeout: 360, Netmask: 0xffff0000},
	} {
		var e encoder
		if err := putService(&e, s); err != nil {
			t.Fatal(err)
		}
		a := newAttrs(e.b)
		if !a.next() || a.typ != cmdAttrService {
			t.Fatalf("no service nest in %x", e.b)
		}
		got, err := decodeService(a.val)
		if err != nil {
			t.Fatalf("decode %+v: %v", s, err)
		}
		if !sameService(got, s) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, s)
		}
	}
}

func TestDestRoundTrip(t *testing.T) {
	for _, d := range []ops.Destination{
		{Family: ops.AFInet, Address: net.ParseIP("10.0.0.9").To4(), Port: 443, ConnFlags: ops.FwdRoute, Weight: 0, UThreshold: 5},
		{Family: ops.AFInet6, Address: net.ParseIP("2001:db8::9"), Port: 443, ConnFlags: ops.FwdTunnel, Weight: 65535, TunType: ops.TunGRE, TunFlags: ops.TunFlagRemCsum},
		{Family: ops.AFInet, Address: net.ParseIP("10.0.0.9").To4(), Port: 1, ConnFlags: ops.FwdMasq, Weight: -1},
	} {
		var e encoder
		if err := putDest(&e, d, ops.AFInet, true); err != nil {
			t.Fatal(err)
		}
		a := newAttrs(e.b)
		if !a.next() || a.typ != cmdAttrDest {
			t.Fatalf("no dest nest in %x", e.b)
		}
		got, err := decodeDest(a.val, ops.AFInet)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Address.Equal(d.Address) {
			t.Errorf("address %v, want %v", got.Address, d.Address)
		}
		got.Address, d.Address = nil, nil
		if !reflect.DeepEqual(got, d) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, d)
		}
	}
}

func sameService(a, b ops.Service) bool {
	if !a.Address.Equal(b.Address) {
		return false
	}
	a.Address, b.Address = nil, nil
	return a.Family == b.Family && a.Protocol == b.Protocol && a.Port == b.Port && a.FWMark == b.FWMark &&
		a.Scheduler == b.Scheduler && a.PEName == b.PEName && a.Flags == b.Flags && a.Timeout == b.Timeout &&
		a.Netmask == b.Netmask && a.Stats == b.Stats
}
