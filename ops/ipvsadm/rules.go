package ipvsadm

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/lvsadm/lvsadm/ops"
)

// This file reads and writes rules (the -A/-a lines of ipvsadm -S) for
// the rest of lvsadm: ParseRules turns lines such as lvscf.Render's into a
// table with this package's own command-line parser, so the table means
// exactly what "ipvsadm -R" would have made of the lines; ServiceLine and
// DestinationLine print single operations in the same syntax (for cf apply
// --dry-run).

// ParseRules reads "-A" and "-a" lines (with or without a leading
// "ipvsadm" word, as -S writes them; blank lines are skipped) into
// services with their destinations. Each line goes through the same
// parser as a command line, with ipvsadm's defaults and rewrites (wlc when
// no -s, the service port for direct-routing and tunnel destinations).
// Host names are not looked up: rules are expected numeric (-S -n), and a
// table should not depend on DNS. Errors name the 1-based line: "line N:
// message". A real server of a service no earlier line adds, a service
// added twice and a real server added twice are errors, since "ipvsadm -R"
// would fail on those lines.
func ParseRules(lines []string) (ops.Table, error) {
	names := newResolver(context.Background())
	names.lookupIP4 = func(context.Context, string) ([]net.IP, error) {
		return nil, errors.New("host names are not resolved in rules")
	}
	ps := &parser{prog: "ipvsadm", names: names}
	var out ops.Table
	index := map[ops.ServiceID]int{}
	// One reader for every line: a fresh one allocates its 64 KiB buffer
	// per line, 1.3 GB for the daemon's 10,000-service table on every apply.
	lr := newLineReader(nil)
	src := strings.NewReader("")
	for i, line := range lines {
		src.Reset(line + "\n")
		lr.r.Reset(src)
		words, _ := lr.next()
		if len(words) == 0 {
			continue
		}
		c, perr := ps.parse(append([]string{ps.prog}, words...))
		if perr != nil {
			return nil, fmt.Errorf("line %d: %s", i+1, ruleMessage(perr))
		}
		switch c.cmd {
		case cmdAdd:
			svc := c.svc.service()
			k := svc.ID()
			if _, dup := index[k]; dup {
				return nil, fmt.Errorf("line %d: service %s is added twice", i+1, ServiceArgs(svc.ServiceKey))
			}
			index[k] = len(out)
			out = append(out, ops.VirtualService{Service: svc})
		case cmdAddDest:
			key := c.svc.key()
			j, ok := index[key.ID()]
			if !ok {
				return nil, fmt.Errorf("line %d: real server for %s, which no earlier line adds", i+1, ServiceArgs(key))
			}
			d := c.dest.destination()
			for _, o := range out[j].Destinations {
				if o.Family == d.Family && o.Address.Equal(d.Address) && o.Port == d.Port {
					return nil, fmt.Errorf("line %d: real server %s is added twice", i+1, destName(key, d))
				}
			}
			out[j].Destinations = append(out[j].Destinations, d)
		default:
			return nil, fmt.Errorf("line %d: only -A and -a lines describe a table", i+1)
		}
	}
	return out, nil
}

// ruleMessage is the parser's message without its newline; a bare "try
// help" is not useful about a line in a file.
func ruleMessage(e *exitError) string {
	msg := strings.TrimSpace(e.msg)
	if strings.HasPrefix(msg, "Try `") || msg == "" {
		return "not an ipvsadm command line"
	}
	return strings.ReplaceAll(msg, "\n", "; ")
}

// ServiceArgs prints the options that name a service, as -S writes them:
// "-t 10.0.0.1:80", "-u [2001:db8::1]:53", "-f 7" or "-f 7 -6".
func ServiceArgs(k ops.ServiceKey) string {
	if k.FWMark != 0 {
		s := "-f " + strconv.FormatUint(uint64(k.FWMark), 10)
		if k.Family == ops.AFInet6 {
			s += " -6"
		}
		return s
	}
	var sess session
	b := append([]byte(protocolOption(k.Protocol)), ' ')
	b = sess.appendAddrPort(b, k.Family, addrFromIP(k.Family, k.Address), k.Port, k.Protocol, true)
	return string(b)
}

// destName is a destination's "addr:port" as -S writes it.
func destName(k ops.ServiceKey, d ops.Destination) string {
	var sess session
	af := destFamily(&d, k.Family)
	return string(sess.appendAddrPort(nil, af, addrFromIP(af, d.Address), d.Port, 0, true))
}

// ServiceLine prints a service operation as an ipvsadm command line. cmd
// is "-A" or "-E" (the full rule, as -S writes it, so that an edit names
// every attribute it sets) or "-D" (the service's name only).
func ServiceLine(cmd string, s ops.Service) string {
	name := ServiceArgs(s.ServiceKey)
	if cmd == "-D" {
		return cmd + " " + name
	}
	b := []byte(cmd + " " + name + " -s " + s.Scheduler)
	if s.Flags&ops.SvcPersistent != 0 {
		b = append(b, " -p "...)
		b = strconv.AppendUint(b, uint64(s.Timeout), 10)
		b = appendMask(b, " -M ", &s)
	}
	if s.PEName != "" {
		b = append(b, " --pe "+s.PEName...)
	}
	if s.Flags&ops.SvcOnePacket != 0 {
		b = append(b, " -o"...)
	}
	if s.Flags&schedFlagAll != 0 {
		b = append(b, " -b "...)
		b = appendSchedFlags(b, s.Scheduler, s.Flags)
	}
	return string(b)
}

// DestinationLine prints a real-server operation as an ipvsadm command
// line. cmd is "-a" or "-e" (forwarding, weight, thresholds when set, and
// tunnel options, as -S writes them) or "-d" (the real server's name only).
func DestinationLine(cmd string, k ops.ServiceKey, d ops.Destination) string {
	svc := ServiceArgs(k)
	dname := destName(k, d)
	if cmd == "-d" {
		return cmd + " " + svc + " -r " + dname
	}
	line := string(appendDestRule(nil, []byte(svc), []byte(dname), &d))
	line = cmd + strings.TrimSuffix(line, "\n")[len("-a"):]
	// -S never writes thresholds (ipvsadm 1.31 does not save them); an
	// operation that sets them must say so.
	if d.UThreshold != 0 {
		line += " -x " + strconv.FormatUint(uint64(d.UThreshold), 10)
	}
	if d.LThreshold != 0 {
		line += " -y " + strconv.FormatUint(uint64(d.LThreshold), 10)
	}
	return line
}

// FormatChange prints a change as the ipvsadm command line that does the
// same, without the program name: "-A -t 10.0.0.1:80 -s rr",
// "-e -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 2", "-d -f 3 -r 10.0.1.2:0".
func FormatChange(c ops.Change) string {
	switch c.Action {
	case ops.AddService:
		return ServiceLine("-A", c.Service)
	case ops.EditService:
		return ServiceLine("-E", c.Service)
	case ops.DelService:
		return ServiceLine("-D", c.Service)
	case ops.AddDestination:
		return DestinationLine("-a", c.Service.ServiceKey, c.Destination)
	case ops.EditDestination:
		return DestinationLine("-e", c.Service.ServiceKey, c.Destination)
	case ops.DelDestination:
		return DestinationLine("-d", c.Service.ServiceKey, c.Destination)
	}
	return "# " + c.Action.String()
}

// ChangeErrorLine rewrites a refused change (*ops.ChangeError anywhere in
// err's chain) so that it names the change as its ipvsadm command line;
// other errors are returned as they are.
func ChangeErrorLine(err error) error {
	var ce *ops.ChangeError
	if !errors.As(err, &ce) {
		return err
	}
	return fmt.Errorf("%s: %w", FormatChange(ce.Change), ce.Err)
}
