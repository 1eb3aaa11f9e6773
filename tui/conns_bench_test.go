package tui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/ops/kernel"
)

// BenchmarkSummarize100k is the CPU of one connections-view refresh over
// 100,000 entries without the kernel's part: ops/kernel's parser reading a
// file in /proc/net/ip_vs_conn's format, and the TUI's filter, counts and
// kept rows (1000). make bench measures the whole refresh, the kernel's
// formatting of the table included, in the lab VM.
func BenchmarkSummarize100k(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n")
	for i := 0; i < 100000; i++ {
		fmt.Fprintf(&sb, "UDP %08X %04X 0A000001 0035 0A00010%d 0035 UDP             %d\n", 0x0A640001+i/50000, 10000+i%50000, 1+i%2, 100+i%200)
	}
	p := filepath.Join(b.TempDir(), "conn")
	if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	k := &kernel.Kernel{ConnPath: p}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sum, err := Summarize(context.Background(), k.Connections, ConnQuery{Enabled: true, Limit: 1000})
		if err != nil {
			b.Fatal(err)
		}
		if sum.Total != 100000 || len(sum.Rows) != 1000 {
			b.Fatalf("summarised %d entries, kept %d rows", sum.Total, len(sum.Rows))
		}
	}
}
