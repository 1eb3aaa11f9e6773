package metrics

import (
	"context"
	"net"
	"reflect"
	"syscall"
	"testing"

	"github.com/lvsadm/lvsadm/ops"
)

type tableKernel struct {
	ops.Kernel
	svcs  []ops.Service
	dests map[uint32][]ops.Destination // by fwmark or port
}

func (k tableKernel) Services(context.Context) ([]ops.Service, error) { return k.svcs, nil }

func (k tableKernel) Destinations(_ context.Context, key ops.ServiceKey) ([]ops.Destination, error) {
	id := key.FWMark
	if id == 0 {
		id = uint32(key.Port)
	}
	d, ok := k.dests[id]
	if !ok {
		return nil, &ops.KernelError{Op: ops.OpGetDests, Errno: syscall.ESRCH}
	}
	return d, nil
}

func TestReadIPVS(t *testing.T) {
	k := tableKernel{
		svcs: []ops.Service{
			{ServiceKey: ops.ServiceKey{Family: ops.AFInet6, Protocol: ops.ProtoUDP, Address: net.ParseIP("2001:db8::1"), Port: 53}, Stats: ops.Stats{Conns: 1, InPkts: 2, OutPkts: 3, InBytes: 4, OutBytes: 5}},
			{ServiceKey: ops.ServiceKey{Family: ops.AFInet, FWMark: 100}, Stats: ops.Stats{Conns: 10, InPkts: 20, OutPkts: 30, InBytes: 40, OutBytes: 50}},
			{ServiceKey: ops.ServiceKey{Family: ops.AFInet, Protocol: ops.ProtoTCP, Address: net.ParseIP("10.0.0.1"), Port: 9}}, // deleted meanwhile
		},
		dests: map[uint32][]ops.Destination{
			53:  {{Address: net.ParseIP("2001:db8::2"), Port: 5353, Weight: 2, ActiveConns: 7, InactConns: 8, Stats: ops.Stats{Conns: 1, InPkts: 2, OutPkts: 3, InBytes: 4, OutBytes: 5}}},
			100: {{Address: net.ParseIP("10.1.0.1"), Weight: 1}},
		},
	}
	got, err := ReadIPVS(context.Background(), k)
	if err != nil {
		t.Fatal(err)
	}
	want := &IPVS{
		Total: ops.Stats{Conns: 11, InPkts: 22, OutPkts: 33, InBytes: 44, OutBytes: 55},
		Services: []Service{
			{LocalAddress: "2001:db8::1", LocalPort: "53", Proto: "UDP", Stats: ops.Stats{Conns: 1, InPkts: 2, OutPkts: 3, InBytes: 4, OutBytes: 5}},
			{LocalPort: "0", Proto: "FWM", LocalMark: "00000064", Stats: ops.Stats{Conns: 10, InPkts: 20, OutPkts: 30, InBytes: 40, OutBytes: 50}},
		},
		Backends: []Backend{
			{LocalAddress: "2001:db8::1", LocalPort: "53", RemoteAddress: "2001:db8::2", RemotePort: "5353", Proto: "UDP", Active: 7, Inactive: 8, Weight: 2,
				Stats: ops.Stats{Conns: 1, InPkts: 2, OutPkts: 3, InBytes: 4, OutBytes: 5}},
			{LocalPort: "0", RemoteAddress: "10.1.0.1", RemotePort: "0", Proto: "FWM", LocalMark: "00000064", Weight: 1},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}
