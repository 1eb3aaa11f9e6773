package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lvsadm/lvsadm/lvscf"
	"github.com/lvsadm/lvsadm/lvscf/keepalived"
)

const cfExportLong = `Convert lvs.cf into another program's configuration. The only target
is keepalived (--to keepalived): the result is a keepalived.conf on
standard output, or in --out FILE (the old -o FILE still works, with a
warning).

Each active virtual server becomes a virtual_server block (IP PORT, or
fwmark N) with lb_algo, lb_kind (from network), persistence, protocol and
sorry server, and its real servers with their weight (an inactive real
server gets weight 0), inhibit_on_failure when quiesce_server = 1, and a
health check made from the virtual's: send_program becomes MISC_CHECK, a
"GET PATH HTTP/1.0" send with a status-line expect becomes HTTP_GET with
url path and status_code, anything else TCP_CHECK; delay_loop and
connect_timeout are the virtual's timeout, with retry 0 (nanny does not
retry). One vrrp_instance holds the floating addresses (VIPs and the NAT
router) with advert_int = keepalive and the directors as unicast_src_ip
and unicast_peer; its virtual_router_id and priority are placeholders to
choose, as its comment says.

keepalived.conf is one file per director, lvs.cf one for both: the file
written is the primary's (state MASTER, priority 150, unicast_src_ip =
primary, unicast_peer = backup), or with --for backup the backup's (state
BACKUP, priority 100, the addresses swapped). Either one imported with
"cf import" gives back the same lvs.cf. Placeholders (0.0.0.0, from "cf
import") are not exported.

Everything that could not be carried over is listed on standard error as
FILE:LINE: KEY: why. Files with lint errors are refused.

Exit status: 0 converted (even with warnings); 1 errors in the file, or
with --strict anything not carried over; 2 the file is unreadable or bad
usage.`

// CfExportOptions is what "lvsadm cf export" was asked to do.
type CfExportOptions struct {
	IO IOStreams

	File   string // the lvs.cf; "-": standard input
	Out    string // --out; "" or "-": standard output
	Export keepalived.ExportOptions
	Strict bool
}

// NewCmdCfExport is "lvsadm cf export"; runF as in NewCmdList.
func NewCmdCfExport(f *Factory, runF func(context.Context, *CfExportOptions) error) *cobra.Command {
	opts := &CfExportOptions{IO: f.IO}
	var (
		to, director string
		out          outFile
	)
	c := &cobra.Command{
		Use:   "export --to keepalived [FILE]",
		Short: "Convert lvs.cf into keepalived.conf",
		Long:  cfExportLong,
		Example: `  lvsadm cf export --to keepalived > keepalived.conf
  lvsadm cf export --to keepalived lvs.cf --out /etc/keepalived/keepalived.conf
  lvsadm cf export --to keepalived --for backup lvs.cf > keepalived-backup.conf
  lvsadm cf export --to keepalived --strict lvs.cf > /dev/null   # does everything carry over?`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			// First, so that the old spelling's warning and a usage
			// error come before any conversion.
			path, err := out.file(c, opts.IO.ErrOut)
			if err != nil {
				return err
			}
			opts.Out = path
			if to == "" {
				return &exitError{code: 2, err: errors.New("--to is required (--to keepalived)")}
			}
			if to != "keepalived" {
				return &exitError{code: 2, err: fmt.Errorf("--to %q: the only target is keepalived", to)}
			}
			switch director {
			case "primary":
				opts.Export.Backup = false
			case "backup":
				opts.Export.Backup = true
			default:
				return &exitError{code: 2, err: fmt.Errorf("--for %q: want primary or backup", director)}
			}
			opts.File = f.cfFiles(args)[0]
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return cfExportRun(opts)
		},
	}
	c.Flags().StringVar(&to, "to", "", "the target format (required): keepalived")
	c.Flags().StringVar(&director, "for", "primary", "whose keepalived.conf to write: primary (state MASTER) or backup (state BACKUP)")
	out.register(c, "write the result to `FILE` instead of standard output")
	c.Flags().BoolVar(&opts.Strict, "strict", false, "exit 1 when anything was not carried over")
	return c
}

func cfExportRun(opts *CfExportOptions) error {
	io := opts.IO
	name, src, err := cfRead(io, opts.File)
	if err != nil {
		return cfError(io, err)
	}
	res, err := keepalived.Export(lvscf.Parse(name, src), opts.Export)
	var se *lvscf.SyntaxError
	switch {
	case errors.As(err, &se):
		fmt.Fprint(io.ErrOut, lvscf.FormatDiagnostics(se.Diags))
		return &exitError{code: 1, err: errors.New("the configuration has errors (see above)")}
	case errors.Is(err, keepalived.ErrNoBackup):
		return &exitError{code: 1, err: fmt.Errorf("--for backup: %w", err)}
	case err != nil:
		return &exitError{code: 1, err: err}
	}
	printWarnings(io, res.Warnings)
	if err := writeOutput(io, opts.Out, res.Data); err != nil {
		return err
	}
	if opts.Strict && len(res.Warnings) > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d setting(s) not carried over (--strict)", len(res.Warnings))}
	}
	return nil
}
