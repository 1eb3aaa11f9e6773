package ipvsadm

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"
)

// TestMain makes name lookups hermetic: a fixed services file and a fake
// DNS that knows a few names.
func TestMain(m *testing.M) {
	servicesPath = "testdata/services"
	hosts := map[string]string{"10.9.9.9": "web.example.", "2001:db8::9": "v6.example."}
	defaultLookupAddr = func(_ context.Context, addr string) ([]string, error) {
		if n, ok := hosts[addr]; ok {
			return []string{n}, nil
		}
		return nil, errors.New("no such host")
	}
	defaultLookupIP4 = func(_ context.Context, host string) ([]net.IP, error) {
		switch host {
		case "web.example":
			return []net.IP{net.IPv4(10, 9, 9, 9)}, nil
		case "mask.example":
			return []net.IP{net.IPv4(255, 255, 0, 0)}, nil
		}
		return nil, errors.New("no such host")
	}
	os.Exit(m.Run())
}
