package ipvsadm

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/opstest"
)

func BenchmarkListConnections(b *testing.B) {
	k := newFakeKernel()
	var conns []ops.Connection
	for i := 0; i < 50000; i++ {
		conns = append(conns, ops.Connection{Protocol: "TCP",
			Client: net.IPv4(192, 168, byte(i>>8), byte(i)).To4(), CPort: uint16(1024 + i),
			Virtual: net.IPv4(10, 0, 0, 1).To4(), VPort: 80,
			Dest: net.IPv4(10, 0, 1, byte(i%7)).To4(), DPort: 8080, State: "ESTABLISHED", Expires: uint32(i % 900)})
	}
	k.SetConnections(conns)
	open := func() (ops.Kernel, error) { return k, nil }
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Run(context.Background(), open, []string{"ipvsadm", "-Lcn"}, nil, io.Discard, io.Discard)
	}
}

func BenchmarkRestore(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&sb, "-A -t 10.%d.%d.1:80 -s wlc -p 300\n", i>>8, i&0xff)
		for j := 0; j < 19; j++ {
			fmt.Fprintf(&sb, "-a -t 10.%d.%d.1:80 -r 192.168.%d.%d:8080 -m -w %d\n", i>>8, i&0xff, j, i&0xff, j)
		}
	}
	in := sb.String()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := nopKernel{newFakeKernel()}
		open := func() (ops.Kernel, error) { return k, nil }
		if code := Run(context.Background(), open, []string{"ipvsadm", "-R"}, strings.NewReader(in), io.Discard, io.Discard); code != 0 {
			b.Fatal(code)
		}
	}
}

// nopKernel accepts every change without keeping it, to time the parsing.
type nopKernel struct{ *opstest.Kernel }

func (nopKernel) AddService(context.Context, ops.Service) error { return nil }
func (nopKernel) AddDestination(context.Context, ops.ServiceKey, ops.Destination) error {
	return nil
}
