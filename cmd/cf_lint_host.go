package cmd

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/lvsadm/lvsadm/daemon/fwmark"
	"github.com/lvsadm/lvsadm/lvscf"
)

// readMangle returns "iptables -t mangle -S PREROUTING" of this host; a
// variable so that tests can feed sample output.
var readMangle = func(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "iptables", "-w", "5", "-t", fwmark.Table, "-S", fwmark.Chain).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok && len(ee.Stderr) > 0 {
			err = fmt.Errorf("%w: %s", err, strings.TrimSpace(string(ee.Stderr)))
		}
		return "", err
	}
	return string(out), nil
}

// hostChecks compares the configuration with this host: every active
// firewall-mark virtual server needs an iptables mangle PREROUTING MARK
// rule setting its mark (fwmark-no-iptables-rule). When iptables cannot be
// run there is one iptables-unavailable warning instead.
func hostChecks(ctx context.Context, name string, src []byte) []lvscf.Diagnostic {
	if ctx == nil {
		ctx = context.Background()
	}
	f := lvscf.Parse(name, src)
	cfg, _ := lvscf.Decode(f)
	if cfg == nil {
		return nil
	}
	var blocks []*lvscf.Block
	for _, it := range f.Root.Items {
		if it.Block != nil && it.Block.Kind == lvscf.BlockVirtual {
			blocks = append(blocks, it.Block)
		}
	}
	var out []lvscf.Diagnostic
	var marks map[uint32]bool
	for i, v := range cfg.Virtuals {
		if !v.Active || v.Fwmark == 0 {
			continue
		}
		if marks == nil {
			s, err := readMangle(ctx)
			if err != nil {
				return append(out, lvscf.Diagnostic{File: name, Line: 1, Col: 1, Severity: lvscf.SevWarning, Code: "iptables-unavailable",
					Message: fmt.Sprintf("cannot read iptables %s %s to check the fwmark rules: %v", fwmark.Table, fwmark.Chain, err)})
			}
			marks = fwmark.ParseMarks(s)
		}
		if marks[v.Fwmark] {
			continue
		}
		line, col := 1, 1
		if i < len(blocks) {
			line, col = fwmarkPos(f, blocks[i])
		}
		msg := fmt.Sprintf("virtual %q uses fwmark %d but no iptables %s %s rule on this host sets that mark", v.Name, v.Fwmark, fwmark.Table, fwmark.Chain)
		if len(v.FwmarkMatch) > 0 {
			msg += " (the daemon installs the fwmark_match rules when it becomes active)"
		} else {
			msg += "; add fwmark_match to have the daemon install it, or add it yourself"
		}
		out = append(out, lvscf.Diagnostic{File: name, Line: line, Col: col, Severity: lvscf.SevWarning, Code: "fwmark-no-iptables-rule", Message: msg})
	}
	return out
}

// fwmarkPos is the position of the fwmark value in block b.
func fwmarkPos(f *lvscf.File, b *lvscf.Block) (int, int) {
	line, col := f.Lines[b.Open].Num, f.Lines[b.Open].Col(0)
	for _, it := range b.Items {
		if it.Block == nil {
			if l := &f.Lines[it.Line]; l.Kind == lvscf.LineKeyValue && l.Key() == "fwmark" {
				line, col = l.Num, l.Col(2)
			}
		}
	}
	return line, col
}
