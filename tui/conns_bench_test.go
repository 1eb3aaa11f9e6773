package tui

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/ops/kernel"
)

// BenchmarkSummarize100k is the CPU of one connections-view refresh over
// 100,000 entries without the kernel's part: ops/kernel's parser reading a
// file in /proc/net/ip_vs_conn's format, and the TUI's filter, counts and
// kept rows (1000). make bench measures the whole refresh, the kernel's
// formatting of the table included, in the lab VM.
func BenchmarkSummarize100k(b *testing.B) {
	k := connTable(b, 100000)
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

// connTable writes n entries in /proc/net/ip_vs_conn's format to a file
// and returns a kernel reading connections from it.
func connTable(b *testing.B, n int) *kernel.Kernel {
	b.Helper()
	var sb strings.Builder
	sb.WriteString("Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, "UDP %08X %04X 0A000001 0035 0A00010%d 0035 UDP             %d\n", 0x0A640001+i/50000, 10000+i%50000, 1+i%2, 100+i%200)
	}
	p := filepath.Join(b.TempDir(), "conn")
	if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	return &kernel.Kernel{ConnPath: p}
}

// connsOnly is a Source whose snapshots hold only the connection table;
// the benchmarks change nothing, so its other methods are the nil Source's.
type connsOnly struct {
	Source
	k *kernel.Kernel
}

func (c connsOnly) Snapshot(ctx context.Context, q ConnQuery) (Snapshot, error) {
	s := Snapshot{Taken: time.Now()}
	if q.Enabled {
		sum, err := Summarize(ctx, c.k.Connections, q)
		if err != nil {
			return s, err
		}
		s.Conns = &sum
	}
	return s, nil
}

// BenchmarkBatchConns1k is one refresh of the connections view over a
// table of 1,000 entries, all kept, drawn: what an idle "lvsadm tui" on
// the connections view does every interval, less the kernel's part.
func BenchmarkBatchConns1k(b *testing.B) {
	src := connsOnly{k: connTable(b, 1000)}
	b.ResetTimer()
	if err := Batch(context.Background(), src, io.Discard, BatchOptions{Frames: b.N, Interval: time.Nanosecond, Conns: true}); err != nil {
		b.Fatal(err)
	}
}
