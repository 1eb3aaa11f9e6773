package cmd

import (
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

func newCfGetCmd(f *Factory) *cobra.Command {
	io := f.IO
	var (
		file      string
		effective bool
	)
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
			var (
				v   string
				err error
			)
			if effective {
				var cfg *lvscf.Config
				if cfg, err = cfDecode(io, f.cfFile(file)); err == nil {
					v, err = cfg.Get(args[0])
				}
			} else {
				var cf *lvscf.File
				if cf, err = cfParse(io, f.cfFile(file)); err == nil {
					v, err = cf.Get(args[0])
				}
			}
			if err != nil {
				return cfError(io, err)
			}
			_, err = fmt.Fprintln(io.Out, v)
			return err
		},
	}
	cfFileFlag(c, &file, "the lvs.cf to read")
	c.Flags().BoolVar(&effective, "effective", false, "print the value in effect, defaults included")
	return c
}

// cfParse reads and parses a file ("-" is standard input).
func cfParse(io IOStreams, path string) (*lvscf.File, error) {
	name, src, err := cfRead(io, path)
	if err != nil {
		return nil, err
	}
	return lvscf.Parse(name, src), nil
}

func newCfSetCmd(f *Factory) *cobra.Command {
	io := f.IO
	var (
		file string
		sf   cfSaveFlags
	)
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
			bump := !touchesSerial(args[0])
			return cfError(io, sf.edit(c.Context(), f.cfFile(file), bump, func(cf *lvscf.File) error {
				return cf.Set(args[0], args[1])
			}))
		},
	}
	cfFileFlag(c, &file, "the lvs.cf to change")
	sf.register(c, true)
	return c
}

func newCfDeleteCmd(f *Factory) *cobra.Command {
	io := f.IO
	var (
		file string
		sf   cfSaveFlags
	)
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
			bump := !touchesSerial(args[0])
			return cfError(io, sf.edit(c.Context(), f.cfFile(file), bump, func(cf *lvscf.File) error {
				return cf.Delete(args[0])
			}))
		},
	}
	cfFileFlag(c, &file, "the lvs.cf to change")
	sf.register(c, true)
	return c
}

func newCfAddCmd(f *Factory) *cobra.Command {
	io := f.IO
	var (
		file string
		sf   cfSaveFlags
	)
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
			block := p.String()
			return cfError(io, sf.edit(c.Context(), f.cfFile(file), true, func(cf *lvscf.File) error {
				if err := cf.Add(block); err != nil {
					return err
				}
				for _, kv := range kvs {
					k, v, _ := strings.Cut(kv, "=")
					if err := cf.Set(block+"."+k, v); err != nil {
						return err
					}
				}
				return nil
			}))
		},
		ValidArgsFunction: func(c *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return []string{"virtual", "server", "failover", "bgp", "neighbor"}, cobra.ShellCompDirectiveNoFileComp
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
	}
	cfFileFlag(c, &file, "the lvs.cf to change")
	sf.register(c, true)
	return c
}

// touchesSerial reports whether an edit is to serial_no itself, which
// must not be bumped on top.
func touchesSerial(path string) bool {
	p, err := lvscf.ParsePath(path)
	return err == nil && p.Kind == lvscf.BlockRoot && p.Key == "serial_no"
}
