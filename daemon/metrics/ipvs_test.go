package metrics

import (
	"context"
	"net"
	"reflect"
	"testing"

	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/opstest"
)

func TestReadIPVS(t *testing.T) {
	gone := ops.ServiceKey{Family: ops.AFInet, Protocol: ops.ProtoTCP, Address: net.ParseIP("10.0.0.1"), Port: 9}
	k := opstest.New()
	k.Load(ops.Table{
		{Service: ops.Service{ServiceKey: ops.ServiceKey{Family: ops.AFInet6, Protocol: ops.ProtoUDP, Address: net.ParseIP("2001:db8::1"), Port: 53}, Stats: ops.Stats{Conns: 1, InPkts: 2, OutPkts: 3, InBytes: 4, OutBytes: 5}},
			Destinations: []ops.Destination{{Address: net.ParseIP("2001:db8::2"), Port: 5353, Weight: 2, ActiveConns: 7, InactConns: 8, Stats: ops.Stats{Conns: 1, InPkts: 2, OutPkts: 3, InBytes: 4, OutBytes: 5}}}},
		{Service: ops.Service{ServiceKey: ops.ServiceKey{Family: ops.AFInet, FWMark: 100}, Stats: ops.Stats{Conns: 10, InPkts: 20, OutPkts: 30, InBytes: 40, OutBytes: 50}},
			Destinations: []ops.Destination{{Address: net.ParseIP("10.1.0.1"), Weight: 1}}},
		{Service: ops.Service{ServiceKey: gone}, Destinations: []ops.Destination{{Address: net.ParseIP("10.1.0.2"), Weight: 1}}},
	})
	// Deleted between the listing and the read of its real servers: the
	// kernel answers that read with none.
	k.SetInject(func(op ops.Op, key *ops.ServiceKey) error {
		if op == ops.OpGetDests && key.ID() == gone.ID() {
			return k.DelService(context.Background(), gone)
		}
		return nil
	})
	got, err := ReadIPVS(context.Background(), k)
	if err != nil {
		t.Fatal(err)
	}
	want := &IPVS{
		Total: ops.Stats{Conns: 11, InPkts: 22, OutPkts: 33, InBytes: 44, OutBytes: 55},
		Services: []Service{
			{LocalAddress: "10.0.0.1", LocalPort: "9", Proto: "TCP"},
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
