package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lvsadm/lvsadm/lvscf"
)

const cfDiffLong = `Compare what two lvs.cf files mean, not how they are written: both are
read with piranha's defaults applied, so layout, comments, key order and keys
spelt out at their default value do not count; serial_no does (a stale copy
on the backup director is what this is for). Virtual servers, real servers
and failover services are matched by name. One line per difference:

  ~ virtual.www.server.web1.weight: "1" -> "2"
  + virtual.smtp                     (a block only in the second file)
  - virtual.www.persistent = "300"   (a setting only in the first file)

With -o json: {"schema_version": 1, "changes": [{kind, path, old, new}...]},
kind being changed, added or removed; field names are stable.

Exit status, as diff(1): 0 same meaning, 1 different, 2 trouble (a file
cannot be read or has errors).`

// CfDiffOptions is what "lvsadm cf diff" was asked to do.
type CfDiffOptions struct {
	IO IOStreams

	A, B   string // "-": standard input
	Output string // text or json
}

// NewCmdCfDiff is "lvsadm cf diff"; runF as in NewCmdList.
func NewCmdCfDiff(f *Factory, runF func(context.Context, *CfDiffOptions) error) *cobra.Command {
	opts := &CfDiffOptions{IO: f.IO}
	c := &cobra.Command{
		Use:   "diff A B",
		Short: "Show how two lvs.cf files differ in meaning",
		Long:  cfDiffLong,
		Example: `  lvsadm cf diff /etc/sysconfig/ha/lvs.cf /tmp/lvs.cf.from-backup
  ssh backup cat /etc/sysconfig/ha/lvs.cf | lvsadm cf diff /etc/sysconfig/ha/lvs.cf -`,
		Args: cobra.ExactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			opts.A, opts.B = args[0], args[1]
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return cfDiffRun(opts)
		},
	}
	addOutputFlag(c, &opts.Output, formatText, formatJSON)
	return c
}

func cfDiffRun(opts *CfDiffOptions) error {
	io := opts.IO
	var cfgs [2]*lvscf.Config
	for i, path := range []string{opts.A, opts.B} {
		cfg, err := cfDecode(io, path)
		if err != nil {
			// A file with errors is trouble, not a difference.
			return &exitError{code: 2, err: cfError(io, err).(*exitError).err}
		}
		cfgs[i] = cfg
	}
	changes := lvscf.Diff(cfgs[0], cfgs[1])
	if opts.Output == formatJSON {
		out := diffReport{SchemaVersion: schemaVersion, Changes: make([]diffChange, 0, len(changes))}
		for _, ch := range changes {
			kind := map[lvscf.ChangeKind]string{lvscf.Changed: "changed", lvscf.Added: "added", lvscf.Removed: "removed"}[ch.Kind]
			out.Changes = append(out.Changes, diffChange{kind, ch.Path, ch.Old, ch.New})
		}
		if err := writeMachine(io.Out, opts.Output, out); err != nil {
			return err
		}
	} else {
		for _, ch := range changes {
			fmt.Fprintln(io.Out, ch.String())
		}
	}
	if len(changes) > 0 {
		return cfExit(1)
	}
	return nil
}

// diffReport is "cf diff -o json".
type diffReport struct {
	SchemaVersion int          `json:"schema_version"`
	Changes       []diffChange `json:"changes"`
}

type diffChange struct {
	Kind string `json:"kind"` // changed, added or removed
	Path string `json:"path"`
	Old  string `json:"old,omitempty"`
	New  string `json:"new,omitempty"`
}

// cfDecode reads a configuration's meaning, refusing files with errors
// (a *lvscf.SyntaxError).
func cfDecode(io IOStreams, path string) (*lvscf.Config, error) {
	if path != "-" {
		return lvscf.DecodeFile(path)
	}
	name, src, err := cfRead(io, path)
	if err != nil {
		return nil, err
	}
	f := lvscf.Parse(name, src)
	cfg, diags := lvscf.Decode(f)
	diags = append(append([]lvscf.Diagnostic(nil), f.Diags...), diags...)
	if lvscf.HasErrors(diags) {
		lvscf.SortDiagnostics(diags)
		return nil, &lvscf.SyntaxError{Diags: diags}
	}
	return cfg, nil
}
