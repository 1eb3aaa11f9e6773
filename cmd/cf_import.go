package cmd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/spf13/cobra"

	"github.com/lvsadm/lvsadm/lvscf"
	"github.com/lvsadm/lvsadm/lvscf/keepalived"
)

const cfImportLong = `Convert a keepalived configuration into piranha's lvs.cf, written in
piranha's own layout ("cf fmt"), to standard output or to --out FILE
(the old -o FILE still works, with a warning: -o names an output format
in the other commands).

What is converted: the virtual_server blocks (IP PORT, fwmark N and
groups) with their real servers, weights, scheduler (lb_algo), forwarding
method (lb_kind, one "network" for the whole file in lvs.cf),
persistence, protocol, sorry server and inhibit_on_failure
(quiesce_server); the first health check of the real servers (TCP_CHECK
as a connect, HTTP_GET as a GET with a status-line regular expression,
MISC_CHECK as send_program with %h for the real server's address), with
timeout = max(delay_loop, connect_timeout); and the vrrp_instance: its
virtual_ipaddress list gives each virtual server's "address = VIP DEVICE"
(a label, or the next free alias DEV:N), a spare address becomes the NAT
router, state with unicast_src_ip/unicast_peer gives primary and backup,
advert_int gives keepalive (deadtime = 3 x advert_int); and global_defs'
lvs_sync_daemon and lvs_timeouts.

Everything that could not be carried over exactly is listed on standard
error as FILE:LINE: KEY: why. Addresses keepalived.conf does not give
(this director's own address in a multicast setup, a NAT gateway, the
address of a fwmark service when there is no virtual_ipaddress) are
written as 0.0.0.0 placeholders with a warning; "cf lint" reports each
placeholder as an error until it is filled in, and --primary, --backup and
--nat-router supply them. Apart from placeholders, the result always
passes "lvsadm cf lint" without errors.

An import with losses is not written: the warnings say what would be
lost, and --force writes the result anyway (the exit status is still 3).

Exit status: 0 converted without loss; 3 imported with losses (at least
one warning; nothing written without --force); 2 the file is unreadable,
not valid keepalived syntax, or bad usage; 1 an internal error (the
result does not lint, or cannot be written).`

// exitImportLoss is cf import's exit status when something was not
// carried over exactly ("imported with losses").
const exitImportLoss = 3

// CfImportOptions is what "lvsadm cf import" was asked to do.
type CfImportOptions struct {
	IO IOStreams

	File   string // the keepalived.conf; "-": standard input
	Out    string // --out; "" or "-": standard output
	Force  bool
	Import keepalived.ImportOptions
}

// NewCmdCfImport is "lvsadm cf import"; runF as in NewCmdList.
func NewCmdCfImport(f *Factory, runF func(context.Context, *CfImportOptions) error) *cobra.Command {
	opts := &CfImportOptions{IO: f.IO}
	var out outFile
	c := &cobra.Command{
		Use:   "import KEEPALIVED.CONF [--out lvs.cf]",
		Short: "Convert keepalived.conf into lvs.cf",
		Long:  cfImportLong,
		Example: `  lvsadm cf import /etc/keepalived/keepalived.conf > /dev/null   # what would be lost?
  lvsadm cf import --force /etc/keepalived/keepalived.conf --out lvs.cf
  lvsadm cf import --force keepalived.conf --primary 10.0.0.2 --backup 10.0.0.3 | lvsadm cf lint -`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			// First, so that the old spelling's warning and a usage
			// error come before any conversion.
			path, err := out.file(c, opts.IO.ErrOut)
			if err != nil {
				return err
			}
			opts.Out, opts.File = path, args[0]
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return cfImportRun(opts)
		},
	}
	out.register(c, "write the lvs.cf to `FILE` instead of standard output")
	c.Flags().BoolVar(&opts.Force, "force", false, "write the result even when something was not carried over exactly (exit status 3 all the same)")
	c.Flags().Bool("strict", false, "no effect: an import with losses always exits 3")
	_ = c.Flags().MarkDeprecated("strict", "an import with losses always exits 3 now")
	c.Flags().StringVar(&opts.Import.Primary, "primary", "", "the primary director's address (overrides the vrrp_instance)")
	c.Flags().StringVar(&opts.Import.Backup, "backup", "", "the backup director's address (overrides the vrrp_instance)")
	c.Flags().StringVar(&opts.Import.NATRouter, "nat-router", "", `the NAT gateway as "IP DEVICE" (overrides the vrrp_instance)`)
	return c
}

func cfImportRun(opts *CfImportOptions) error {
	io := opts.IO
	cfg, err := readKeepalived(io, opts.File)
	if err != nil {
		return err
	}
	res, err := keepalived.Import(cfg, opts.Import)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	printWarnings(io, res.Warnings)
	if diags := keepalived.LintResult(res.Data); lvscf.HasErrors(diags) {
		fmt.Fprint(io.ErrOut, lvscf.FormatDiagnostics(diags))
		return &exitError{code: 1, err: errors.New("the converted lvs.cf has lint errors (see above)")}
	}
	lossy := len(res.Warnings) > 0
	if lossy && !opts.Force {
		return &exitError{code: exitImportLoss, err: fmt.Errorf("%d setting(s) not carried over exactly (see above); nothing written (--force writes it anyway)", len(res.Warnings))}
	}
	if err := writeOutput(io, opts.Out, res.Data); err != nil {
		return err
	}
	if lossy {
		return &exitError{code: exitImportLoss, err: fmt.Errorf("%d setting(s) not carried over exactly (see above); written because of --force", len(res.Warnings))}
	}
	return nil
}

// readKeepalived parses a keepalived.conf ("-" is standard input, whose
// includes are relative to the current directory).
func readKeepalived(io IOStreams, path string) (*keepalived.Config, error) {
	var (
		cfg *keepalived.Config
		err error
	)
	if path == "-" {
		src, rerr := readLimited(io.In, keepalived.MaxFileSize)
		if rerr != nil {
			return nil, &exitError{code: 2, err: fmt.Errorf("read standard input: %w", rerr)}
		}
		cfg, err = keepalived.Parse("<stdin>", src, keepalived.Options{FS: keepalived.OSFS{}})
	} else {
		cfg, err = keepalived.ParseFile(path)
	}
	var el keepalived.ErrorList
	switch {
	case errors.As(err, &el):
		for _, e := range el {
			fmt.Fprintf(io.ErrOut, "%s: error: %s\n", e.Pos, e.Msg)
		}
		return nil, &exitError{code: 2, err: errors.New("not a valid keepalived configuration (see above)")}
	case err != nil:
		return nil, &exitError{code: 2, err: err}
	}
	return cfg, nil
}

func printWarnings(io IOStreams, ws []keepalived.Warning) {
	for _, w := range ws {
		fmt.Fprintf(io.ErrOut, "%s\n", w)
	}
}

// writeOutput writes data to path (atomically, keeping an existing file's
// mode), or to standard output when path is "" or "-".
func writeOutput(io IOStreams, path string, data []byte) error {
	if path == "" || path == "-" {
		_, err := io.Out.Write(data)
		return err
	}
	if err := lvscf.WriteFile(path, data); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return &exitError{code: 2, err: err}
		}
		return &exitError{code: 1, err: err}
	}
	return nil
}
