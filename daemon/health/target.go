package health

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"time"

	"github.com/lvsadm/lvsadm/lvscf"
)

// nanny's default check for a virtual on port 80 with no send, expect or
// send_program (nanny.c http_send_str / http_recv_str).
const (
	defaultHTTPSend   = "GET / HTTP/1.0\r\n\r\n"
	defaultHTTPExpect = "HTTP"
)

// Target is one real server of one virtual server, with the check to run.
type Target struct {
	Virtual string // virtual block name
	Server  string // server block name
	Addr    netip.Addr
	Port    uint16
	UDP     bool
	// Send and Expect are after escape translation. Expect "*" accepts any
	// answer.
	Send, Expect string
	// Regex, when set, replaces the substring comparison (use_regex).
	Regex *regexp.Regexp
	// Program is send_program, split into words with %h and %p replaced.
	Program []string
	// Interval is lvs.cf's timeout: how often to check and how long one
	// check may take.
	Interval time.Duration
	// Reentry is how long a down server's good checks must last before it
	// is up again.
	Reentry time.Duration
	// Weight is the configured weight, which slow start and load
	// monitoring start from.
	Weight int
	// Load is the command that reports the server's load average
	// (load_monitor, LoadArgv); nil for none.
	Load []string
}

// Key identifies the target: "virtual/server".
func (t *Target) Key() string { return t.Virtual + "/" + t.Server }

// spec is a comparable description, so a reload restarts only the checks
// whose definition changed. Weight and Load are left out: a check that
// restarts forgets that its server is up, which takes the server out of
// the table until it passes again, and neither changes how it is checked
// (Monitor.Update passes them to the running check instead).
// The target's key is not in it: only a target's old and new spec are
// compared, computed again at each reload rather than kept for thousands
// of targets.
type spec struct {
	check   checkSpec
	reentry time.Duration
}

func (t *Target) spec() spec {
	return spec{t.checkSpec(), t.Reentry}
}

// checkSpec is what is checked and how often, without whose check it is:
// targets with the same checkSpec share one probe (the same real server
// behind several virtual servers), while reentry, weight and state stay
// each target's own. A struct and not a formatted string: a reload of
// 10,000 servers compares 10,000 of them.
type checkSpec struct {
	addr                netip.Addr
	port                uint16
	udp                 bool
	send, expect, regex string
	program             string // the words joined by NULs, which no word holds
	interval            time.Duration
}

func (t *Target) checkSpec() checkSpec {
	c := checkSpec{addr: t.Addr, port: t.Port, udp: t.UDP, send: t.Send, expect: t.Expect,
		program: strings.Join(t.Program, "\x00"), interval: t.Interval}
	if t.Regex != nil {
		c.regex = t.Regex.String()
	}
	return c
}

// Unescape translates nanny's escapes (convert_str): \\ \r \n \t \' \".
// Any other backslash sequence is kept as written. nanny leaves strings of
// one byte alone; so does Unescape (a lone "\" stays).
func Unescape(s string) string {
	if len(s) <= 1 || !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		switch s[i+1] {
		case '\\':
			b.WriteByte('\\')
		case 'r':
			b.WriteByte('\r')
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case '\'':
			b.WriteByte('\'')
		case '"':
			b.WriteByte('"')
		default:
			b.WriteByte(c)
			continue
		}
		i++
	}
	return b.String()
}

// seconds converts lvs.cf seconds, keeping a floor so a zero timeout
// (refused by lint) cannot spin.
func seconds(s lvscf.Seconds, floor time.Duration) time.Duration {
	d := time.Duration(float64(s) * float64(time.Second))
	if d < floor {
		return floor
	}
	return d
}

// splitProgram splits send_program as nanny does (strtok on single
// spaces: runs of spaces make no empty words) and replaces the words that
// are exactly %h and %p.
func splitProgram(prog string, addr netip.Addr, port uint16) []string {
	var out []string
	for _, w := range strings.Split(prog, " ") {
		switch w {
		case "":
			continue
		case "%h":
			w = addr.String()
		case "%p":
			w = fmt.Sprint(port)
		}
		out = append(out, w)
	}
	return out
}

// Targets lists the checks a configuration asks for: every active real
// server of every active virtual server (lvs starts a nanny for exactly
// those). A use_regex expect that does not compile is an error (lint
// refuses it too).
func Targets(cfg *lvscf.Config) ([]Target, error) {
	return targets(cfg, nil)
}

// TargetsOf is Targets for the virtual servers cfg.Virtuals[i] for i in
// virtuals only: a reload that changed a few of them restarts just their
// checks (Monitor.UpdateVirtuals).
func TargetsOf(cfg *lvscf.Config, virtuals []int) ([]Target, error) {
	if virtuals == nil {
		virtuals = []int{} // none, not all
	}
	return targets(cfg, virtuals)
}

// Count is len(Targets(cfg)) without building them.
func Count(cfg *lvscf.Config) int {
	if cfg.Service == "fos" {
		return 0
	}
	n := 0
	for i := range cfg.Virtuals {
		if v := &cfg.Virtuals[i]; v.Active {
			for j := range v.Servers {
				if s := &v.Servers[j]; s.Active && s.Address.IsValid() {
					n++
				}
			}
		}
	}
	return n
}

// targets builds the targets of the virtual servers at the given indexes
// (nil: all of them).
func targets(cfg *lvscf.Config, virtuals []int) ([]Target, error) {
	if cfg.Service == "fos" {
		return nil, nil
	}
	if virtuals == nil {
		virtuals = make([]int, len(cfg.Virtuals))
		for i := range virtuals {
			virtuals[i] = i
		}
	}
	// Sized once: a Target is large, and 10,000 of them appended one by
	// one were copied over and over at every reload.
	n := 0
	for _, i := range virtuals {
		if cfg.Virtuals[i].Active {
			n += len(cfg.Virtuals[i].Servers)
		}
	}
	out := make([]Target, 0, n)
	for _, i := range virtuals {
		v := &cfg.Virtuals[i]
		if !v.Active {
			continue
		}
		send, expect, prog := v.Send, v.Expect, v.SendProgram
		if prog != "" {
			send = "" // nanny: send_program overrides send
		}
		if v.Port == 80 && send == "" && expect == "" && prog == "" {
			send, expect = defaultHTTPSend, defaultHTTPExpect
		} else {
			send, expect = Unescape(send), Unescape(expect)
		}
		var re *regexp.Regexp
		if v.UseRegex && expect != "" && prog == "" {
			var err error
			if re, err = regexp.CompilePOSIX(expect); err != nil {
				return nil, fmt.Errorf("virtual %s: expect is not a POSIX regular expression: %w", v.Name, err)
			}
		}
		for j := range v.Servers {
			s := &v.Servers[j]
			if !s.Active || !s.Address.IsValid() {
				continue
			}
			t := Target{
				Virtual: v.Name, Server: s.Name, Addr: s.Address, Port: s.Port,
				UDP: v.Protocol == "udp", Send: send, Expect: expect, Regex: re,
				Interval: seconds(v.Timeout, 100*time.Millisecond),
				Reentry:  seconds(v.Reentry, 0),
				Weight:   s.Weight,
				Load:     LoadArgv(v.LoadMonitor, cfg.RshCommand, s.Address),
			}
			if prog != "" {
				t.Program = splitProgram(prog, s.Address, s.Port)
			}
			out = append(out, t)
		}
	}
	return out, nil
}
