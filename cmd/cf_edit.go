package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lvsadm/lvsadm/lvscf"
)

// cfPathHelp documents the PATH syntax for get, set and delete.
const cfPathHelp = `PATH names a setting or a block:

  primary                              a global key
  virtual.www                          a virtual server block
  virtual.www.port                     a key of a virtual server
  virtual.www.server.web1              a real server block
  virtual.www.server.web1.weight       a key of a real server
  failover.ftp.active                  a key of a failover service
  virtual.[www.example.com].port       a name with dots, in brackets
  bgp.local_as                         a key of the bgp block (lvsadm)
  bgp.neighbor[10.0.0.254].remote_as   a key of a BGP neighbor`

const cfEditSaving = `The file is saved safely: under a lock against concurrent editors,
refused if the result has lint errors (--force saves anyway), the previous
version kept as FILE.bak, replaced atomically. serial_no goes up by one
(--no-bump-serial leaves it; a command that sets serial_no itself does not
bump it).`

// CfGetOptions is what "lvsadm cf get" was asked to do.
type CfGetOptions struct {
	IO IOStreams

	File      string // the lvs.cf; "-": standard input
	Path      string
	Effective bool
}

// NewCmdCfGet is "lvsadm cf get"; runF as in NewCmdList.
func NewCmdCfGet(f *Factory, runF func(context.Context, *CfGetOptions) error) *cobra.Command {
	opts := &CfGetOptions{IO: f.IO}
	var file string
	c := &cobra.Command{
		Use:   "get PATH",
		Short: "Print one setting of lvs.cf",
		Long: `Print the value of one setting, without quotes ("10.0.0.1 eth0:1" for a
virtual server's address). A key the file does not set is an error (exit 1)
unless --effective, which prints the value piranha would use, its default
included.

` + cfPathHelp,
		Example: `  lvsadm cf get primary
  lvsadm cf get virtual.www.server.web1.weight
  lvsadm cf get --effective virtual.www.scheduler     # wlc when not set
  lvsadm cf get -f lvs.cf 'virtual.[www.example.com].port'`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeCfPaths(f, &file, true),
		RunE: func(c *cobra.Command, args []string) error {
			opts.File, opts.Path = f.cfFile(file), args[0]
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return cfGetRun(opts)
		},
	}
	cfFileFlag(c, &file, "the lvs.cf to read")
	c.Flags().BoolVar(&opts.Effective, "effective", false, "print the value in effect, defaults included")
	return c
}

func cfGetRun(opts *CfGetOptions) error {
	io := opts.IO
	var (
		v   string
		err error
	)
	if opts.Effective {
		var cfg *lvscf.Config
		if cfg, err = cfDecode(io, opts.File); err == nil {
			v, err = cfg.Get(opts.Path)
		}
	} else {
		var cf *lvscf.File
		if cf, err = cfParse(io, opts.File); err == nil {
			v, err = cf.Get(opts.Path)
		}
	}
	if err != nil {
		return cfError(io, err)
	}
	_, err = fmt.Fprintln(io.Out, v)
	return err
}

// cfParse reads and parses a file ("-" is standard input).
func cfParse(io IOStreams, path string) (*lvscf.File, error) {
	name, src, err := cfRead(io, path)
	if err != nil {
		return nil, err
	}
	return lvscf.Parse(name, src), nil
}

// CfEditOptions is what "lvsadm cf set", "delete" or "add" was asked to
// do: Edit, on File, saved as Save says.
type CfEditOptions struct {
	IO IOStreams

	File string
	Save cfSaveFlags
	// Bump adds one to serial_no (not when the edit is to serial_no).
	Bump bool
	// Path and Value are the setting or block edited (Value: set's);
	// Settings are add's KEY=VALUE pairs, checked.
	Path     string
	Value    string
	Settings []string
	// Edit changes the parsed file under the lock.
	Edit func(*lvscf.File) error
}

func cfEditRun(ctx context.Context, opts *CfEditOptions) error {
	return cfError(opts.IO, opts.Save.edit(ctx, opts.File, opts.Bump, opts.Edit))
}

// NewCmdCfSet is "lvsadm cf set"; runF as in NewCmdList.
func NewCmdCfSet(f *Factory, runF func(context.Context, *CfEditOptions) error) *cobra.Command {
	opts := &CfEditOptions{IO: f.IO}
	var file string
	c := &cobra.Command{
		Use:   "set PATH VALUE",
		Short: "Change one setting of lvs.cf",
		Long: `Give a key a value. Only the value changes on an existing line (its
indentation, spacing and line end stay); a missing key is added after the
block's other keys. The value is checked as lint would check it, and string
values (send, expect, start_cmd...) are quoted when needed.

` + cfPathHelp + `

` + cfEditSaving,
		Example: `  lvsadm cf set virtual.www.server.web1.weight 5
  lvsadm cf set virtual.www.scheduler rr
  lvsadm cf set virtual.www.address '10.0.0.1 eth0:1'
  lvsadm cf set virtual.www.expect 'HTTP/1.1 200'
  lvsadm cf set -f ./lvs.cf keepalive 6`,
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: completeCfPaths(f, &file, false),
		RunE: func(c *cobra.Command, args []string) error {
			opts.File, opts.Path, opts.Value = f.cfFile(file), args[0], args[1]
			opts.Bump = !touchesSerial(opts.Path)
			opts.Edit = func(cf *lvscf.File) error { return cf.Set(opts.Path, opts.Value) }
			return cfEditRunF(c.Context(), opts, runF)
		},
	}
	cfFileFlag(c, &file, "the lvs.cf to change")
	opts.Save.register(c, true)
	return c
}

// NewCmdCfDelete is "lvsadm cf delete"; runF as in NewCmdList.
func NewCmdCfDelete(f *Factory, runF func(context.Context, *CfEditOptions) error) *cobra.Command {
	opts := &CfEditOptions{IO: f.IO}
	var file string
	c := &cobra.Command{
		Use:     "delete PATH",
		Aliases: []string{"rm"},
		Short:   "Remove a setting or a whole block from lvs.cf",
		Long: `Remove a key (every line that sets it in its block) or a whole virtual
server, real server or failover block with everything in it.

` + cfPathHelp + `

` + cfEditSaving,
		Example: `  lvsadm cf delete virtual.www.server.web3
  lvsadm cf delete virtual.www.persistent
  lvsadm cf delete failover.ftp`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeCfPaths(f, &file, true),
		RunE: func(c *cobra.Command, args []string) error {
			opts.File, opts.Path = f.cfFile(file), args[0]
			opts.Bump = !touchesSerial(opts.Path)
			opts.Edit = func(cf *lvscf.File) error { return cf.Delete(opts.Path) }
			return cfEditRunF(c.Context(), opts, runF)
		},
	}
	cfFileFlag(c, &file, "the lvs.cf to change")
	opts.Save.register(c, true)
	return c
}

// NewCmdCfAdd is "lvsadm cf add"; runF as in NewCmdList.
func NewCmdCfAdd(f *Factory, runF func(context.Context, *CfEditOptions) error) *cobra.Command {
	opts := &CfEditOptions{IO: f.IO, Bump: true}
	var file string
	c := &cobra.Command{
		Use:   "add (virtual NAME | server VIRTUAL NAME | failover NAME | bgp | neighbor ADDRESS) [KEY=VALUE...]",
		Short: "Add a virtual server, real server, failover service or BGP neighbor to lvs.cf",
		Long: `Add a block and set its keys in one save: a virtual server (at the end of
the file), a real server (at the end of its virtual server), a failover
service, the bgp block, or a BGP neighbor (in the bgp block, which is added
too when missing). Each KEY=VALUE is set as "cf set" would set it; the block is saved
only if the whole result passes lint, so give what lint requires (address,
and active = 1 for the block to be used: piranha treats a block without
"active" as inactive).

` + cfEditSaving,
		Example: `  lvsadm cf add virtual www 'address=10.0.0.1 eth0:1' active=1 port=80 scheduler=wlc
  lvsadm cf add server www web3 address=10.0.1.3 active=1 weight=2
  lvsadm cf add failover ftp 'address=10.0.0.5 eth0:2' active=1 port=21 'start_cmd=/etc/init.d/vsftpd start' 'stop_cmd=/etc/init.d/vsftpd stop'
  lvsadm cf add bgp local_as=65001
  lvsadm cf add neighbor 10.0.0.254 remote_as=65000 hold_time=9 bfd=1`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			var p lvscf.Path
			var kvs []string
			if len(args) < 2 && args[0] != "bgp" {
				return &exitError{code: 2, err: fmt.Errorf("add %s needs a NAME", args[0])}
			}
			switch args[0] {
			case "bgp":
				p = lvscf.Path{Kind: lvscf.BlockBGP}
				kvs = args[1:]
			case "neighbor":
				p = lvscf.Path{Kind: lvscf.BlockNeighbor, Neighbor: args[1]}
				kvs = args[2:]
			case "virtual", "failover":
				p = lvscf.Path{Kind: lvscf.BlockVirtual, Block: args[1]}
				if args[0] == "failover" {
					p.Kind = lvscf.BlockFailover
				}
				kvs = args[2:]
			case "server":
				if len(args) < 3 {
					return &exitError{code: 2, err: errors.New("add server needs VIRTUAL and NAME")}
				}
				p = lvscf.Path{Kind: lvscf.BlockServer, Block: args[1], Server: args[2]}
				kvs = args[3:]
			default:
				return &exitError{code: 2, err: fmt.Errorf("add %q: expected virtual, server, failover, bgp or neighbor", args[0])}
			}
			for _, kv := range kvs {
				if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
					return &exitError{code: 2, err: fmt.Errorf("%q is not KEY=VALUE", kv)}
				}
			}
			opts.File, opts.Path, opts.Settings = f.cfFile(file), p.String(), kvs
			opts.Edit = func(cf *lvscf.File) error {
				if err := cf.Add(opts.Path); err != nil {
					return err
				}
				for _, kv := range opts.Settings {
					k, v, _ := strings.Cut(kv, "=")
					if err := cf.Set(opts.Path+"."+k, v); err != nil {
						return err
					}
				}
				return nil
			}
			return cfEditRunF(c.Context(), opts, runF)
		},
		ValidArgsFunction: func(c *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return []string{"virtual", "server", "failover", "bgp", "neighbor"}, cobra.ShellCompDirectiveNoFileComp
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
	}
	cfFileFlag(c, &file, "the lvs.cf to change")
	opts.Save.register(c, true)
	return c
}

// cfEditRunF runs runF if a test gave one, else the edit.
func cfEditRunF(ctx context.Context, opts *CfEditOptions, runF func(context.Context, *CfEditOptions) error) error {
	if runF != nil {
		return runF(ctx, opts)
	}
	return cfEditRun(ctx, opts)
}

// touchesSerial reports whether an edit is to serial_no itself, which
// must not be bumped on top.
func touchesSerial(path string) bool {
	p, err := lvscf.ParsePath(path)
	return err == nil && p.Kind == lvscf.BlockRoot && p.Key == "serial_no"
}
