package kernel

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/ops"
)

// connHeader and the formats below are ip_vs_conn_seq_show's
// (net/netfilter/ipvs/ip_vs_conn.c):
//
//	"%-3s %08X %04X %08X %04X %s %04X %-11s %7u%s\n"   IPv4 service
//	"%-3s %pI6 %04X %pI6 %04X %s %04X %-11s %7u%s\n"   IPv6 service
//
// where the destination (%s) is "%08X" or "%pI6" by its own family and the
// last %s is "" or " <pe name> <pe data>".
const connHeader = "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n"

func v4hex(s string) string {
	ip := net.ParseIP(s).To4()
	return fmt.Sprintf("%08X", uint32(ip[0])<<24|uint32(ip[1])<<16|uint32(ip[2])<<8|uint32(ip[3]))
}

// pI6 prints an address as the kernel's %pI6: eight 4-digit groups.
func pI6(s string) string {
	ip := net.ParseIP(s)
	var g []string
	for i := 0; i < 16; i += 2 {
		g = append(g, fmt.Sprintf("%02x%02x", ip[i], ip[i+1]))
	}
	return strings.Join(g, ":")
}

func connLine(proto, c string, cp uint16, v string, vp uint16, d string, dp uint16, state string, exp uint32, pe string) string {
	return fmt.Sprintf("%-3s %s %04X %s %04X %s %04X %-11s %7d%s\n", proto, c, cp, v, vp, d, dp, state, exp, pe)
}

func TestParseConns(t *testing.T) {
	text := connHeader +
		connLine("TCP", v4hex("192.168.1.10"), 51234, v4hex("10.0.0.1"), 80, v4hex("10.0.0.2"), 8080, "ESTABLISHED", 897, "") +
		connLine("UDP", v4hex("192.168.1.11"), 5353, v4hex("10.0.0.1"), 53, v4hex("10.0.0.3"), 53, "UDP", 299, "") +
		connLine("IP", v4hex("192.168.1.0"), 0, v4hex("10.0.0.1"), 0, v4hex("10.0.0.2"), 0, "NONE", 360, "") +
		connLine("TCP", pI6("2001:db8::10"), 40000, pI6("2001:db8::1"), 443, pI6("2001:db8:1::2"), 443, "SYN_RECV", 59, "") +
		// mixed pool: IPv4 service, IPv6 destination (tunnel)
		connLine("TCP", v4hex("192.168.1.12"), 1, v4hex("10.0.0.1"), 80, pI6("2001:db8::2"), 80, "FIN_WAIT", 0, "") +
		// IPv6 service, IPv4 destination
		connLine("SCTP", pI6("fe80::1"), 2, pI6("2001:db8::1"), 3868, v4hex("10.0.0.9"), 3868, "ESTABLISHED", 12, "") +
		connLine("UDP", v4hex("192.168.1.13"), 5060, v4hex("10.0.0.1"), 5060, v4hex("10.0.0.4"), 5060, "UDP", 3, " sip a84b4c76e66710@pc33.example.com")
	got, err := collectConns(context.Background(), strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	ip := func(s string) net.IP {
		if v4 := net.ParseIP(s).To4(); v4 != nil {
			return v4
		}
		return net.ParseIP(s)
	}
	want := []ops.Connection{
		{Protocol: "TCP", Client: ip("192.168.1.10"), CPort: 51234, Virtual: ip("10.0.0.1"), VPort: 80, Dest: ip("10.0.0.2"), DPort: 8080, State: "ESTABLISHED", Expires: 897},
		{Protocol: "UDP", Client: ip("192.168.1.11"), CPort: 5353, Virtual: ip("10.0.0.1"), VPort: 53, Dest: ip("10.0.0.3"), DPort: 53, State: "UDP", Expires: 299},
		{Protocol: "IP", Client: ip("192.168.1.0"), Virtual: ip("10.0.0.1"), Dest: ip("10.0.0.2"), State: "NONE", Expires: 360},
		{Protocol: "TCP", Client: ip("2001:db8::10"), CPort: 40000, Virtual: ip("2001:db8::1"), VPort: 443, Dest: ip("2001:db8:1::2"), DPort: 443, State: "SYN_RECV", Expires: 59},
		{Protocol: "TCP", Client: ip("192.168.1.12"), CPort: 1, Virtual: ip("10.0.0.1"), VPort: 80, Dest: ip("2001:db8::2"), DPort: 80, State: "FIN_WAIT"},
		{Protocol: "SCTP", Client: ip("fe80::1"), CPort: 2, Virtual: ip("2001:db8::1"), VPort: 3868, Dest: ip("10.0.0.9"), DPort: 3868, State: "ESTABLISHED", Expires: 12},
		{Protocol: "UDP", Client: ip("192.168.1.13"), CPort: 5060, Virtual: ip("10.0.0.1"), VPort: 5060, Dest: ip("10.0.0.4"), DPort: 5060, State: "UDP", Expires: 3,
			PEName: "sip", PEData: "a84b4c76e66710@pc33.example.com"},
	}
	if !reflect.DeepEqual(got, want) {
		for i := range max(len(got), len(want)) {
			if i >= len(got) || i >= len(want) || !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("entry %d:\n got %+v\nwant %+v", i, at(got, i), at(want, i))
			}
		}
	}
}

func at(c []ops.Connection, i int) any {
	if i < len(c) {
		return c[i]
	}
	return nil
}

// A literal line as a 6.x kernel prints it, not built by this test's
// formatter.
func TestParseConnsLiteral(t *testing.T) {
	text := "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n" +
		"TCP C0A80A01 E1BA 0A000001 0050 0A000002 0050 TIME_WAIT        97\n" +
		"TCP 2001:0db8:0000:0000:0000:0000:0000:0010 9C40 2001:0db8:0000:0000:0000:0000:0000:0001 01BB 2001:0db8:0000:0000:0000:0000:0000:0002 01BB ESTABLISHED    899\n"
	got, err := collectConns(context.Background(), strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Client.String() != "192.168.10.1" || got[0].CPort != 0xE1BA || got[0].State != "TIME_WAIT" || got[0].Expires != 97 ||
		got[1].Dest.String() != "2001:db8::2" || got[1].VPort != 443 || got[1].Expires != 899 {
		t.Errorf("got %+v", got)
	}
}

func TestParseConnsErrors(t *testing.T) {
	for _, line := range []string{
		"TCP C0A80A01 E1BA 0A000001 0050 0A000002 0050 TIME_WAIT\n",       // too few fields
		"TCP C0A80A0G E1BA 0A000001 0050 0A000002 0050 TIME_WAIT 1\n",     // bad hex
		"TCP C0A80A01 E1BAA 0A000001 0050 0A000002 0050 TIME_WAIT 1\n",    // port too long
		"TCP C0A80A01 E1BA 0A000001 0050 0A000002 0050 TIME_WAIT -1\n",    // bad expiry
		"TCP C0A80A01 E1BA 0A000001 0050 ::zz 0050 TIME_WAIT 1\n",         // bad address
		"TCP C0A80A01 E1BA 0A000001 0050 0A000002 0050 X 99999999999\n",   // out of range
		"TCP 2001:0db8:0:0:0:0:0:0:1 1 0A000001 0050 0A000002 0050 X 1\n", // nine groups
	} {
		if _, err := collectConns(context.Background(), strings.NewReader(connHeader+line)); err == nil {
			t.Errorf("accepted %q", line)
		}
	}
	if got, err := collectConns(context.Background(), strings.NewReader("")); err != nil || len(got) != 0 {
		t.Errorf("empty: %v %v", got, err)
	}
	if got, err := collectConns(context.Background(), strings.NewReader(connHeader)); err != nil || len(got) != 0 {
		t.Errorf("header only: %v %v", got, err)
	}
	// No final newline.
	got, err := collectConns(context.Background(), strings.NewReader(connHeader+"UDP 0A000001 0001 0A000002 0002 0A000003 0003 UDP 5"))
	if err != nil || len(got) != 1 || got[0].Expires != 5 {
		t.Errorf("unterminated: %v %v", got, err)
	}
}

func TestConnectionsFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ip_vs_conn")
	if err := os.WriteFile(path, []byte(connHeader+connLine("TCP", v4hex("1.2.3.4"), 1, v4hex("5.6.7.8"), 2, v4hex("9.10.11.12"), 3, "CLOSE", 4, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	k, _ := newFake(nil)
	k.ConnPath = path
	got, err := collectKernelConns(k)
	if err != nil || len(got) != 1 || got[0].Dest.String() != "9.10.11.12" {
		t.Fatalf("got %+v, %v", got, err)
	}
	k.ConnPath = filepath.Join(dir, "missing")
	_, err = collectKernelConns(k)
	if ke := asKernelError(t, err); ke.Op != ops.OpConnections || !errors.Is(err, ops.ErrNoIPVS) {
		t.Errorf("got %#v", ke)
	}
}

func bigConnTable(n int) []byte {
	var b bytes.Buffer
	b.WriteString(connHeader)
	for i := range n {
		if i%10 == 9 {
			b.WriteString(connLine("TCP", pI6(fmt.Sprintf("2001:db8::%x", i)), uint16(i), pI6("2001:db8::1"), 443, pI6("2001:db8:1::2"), 443, "ESTABLISHED", uint32(i%900), ""))
			continue
		}
		b.WriteString(connLine("TCP", fmt.Sprintf("%08X", 0xC0A80000+i), uint16(i), "0A000001", 80, fmt.Sprintf("%08X", 0x0A000100+i%50), 80, "ESTABLISHED", uint32(i%900), ""))
	}
	return b.Bytes()
}

func TestParseConnsLarge(t *testing.T) {
	data := bigConnTable(50000)
	var got []ops.Connection
	allocs := testing.AllocsPerRun(3, func() {
		var err error
		got, err = collectConns(context.Background(), bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
	})
	if len(got) != 50000 || got[49999].Client.String() != "2001:db8::c34f" || got[12345].Dest.String() != "10.0.1.45" {
		t.Fatalf("parsed %d entries: last %+v", len(got), got[len(got)-1])
	}
	// Shared address storage and interned names: a few hundred
	// allocations for the whole table, not several per entry.
	if allocs > 1000 {
		t.Errorf("%v allocations for 50000 entries", allocs)
	}
}

func BenchmarkParseConns50k(b *testing.B) {
	data := bigConnTable(50000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := collectConns(context.Background(), bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParseConns(f *testing.F) {
	f.Add([]byte(connHeader + connLine("TCP", "0A000001", 1, "0A000002", 2, "0A000003", 3, "NONE", 1, " sip x")))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = collectConns(context.Background(), bytes.NewReader(b))
	})
}

// collectConns gathers what parseConns streams.
func collectConns(ctx context.Context, r io.Reader) ([]ops.Connection, error) {
	var out []ops.Connection
	err := parseConns(ctx, r, func(c *ops.Connection) error {
		out = append(out, *c)
		return nil
	})
	return out, err
}

func collectKernelConns(k *Kernel) ([]ops.Connection, error) {
	var out []ops.Connection
	err := k.Connections(context.Background(), func(c *ops.Connection) error {
		out = append(out, *c)
		return nil
	})
	return out, err
}
