package cmd

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/lvsadm/lvsadm/lvscf"
	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/ipvsadm"
)

// Shell completion of the ipvsadm surface. cobra's generated scripts ask
// "lvsadm __complete WORDS... CURRENT" for candidates; cobra itself knows
// only the subcommands, so Main routes requests whose first word is an
// option here. Candidates come one per line, then ":4" (cobra's "no file
// completion" directive).

const compNoFile = 4

// isIpvsadmCompletion reports whether argv is a completion request for an
// ipvsadm-style command line.
func isIpvsadmCompletion(argv []string) bool {
	return len(argv) > 2 && (argv[1] == "__complete" || argv[1] == "__completeNoDesc") && strings.HasPrefix(argv[2], "-")
}

// completeIpvsadm prints the candidates for the last of words.
func completeIpvsadm(ctx context.Context, words []string, out io.Writer, open func() (ops.Kernel, error)) int {
	cur := words[len(words)-1]
	prev := ""
	if len(words) > 1 {
		prev = words[len(words)-2]
	}
	var cands []string
	switch prev {
	case "-s", "--scheduler":
		cands = lvscf.KernelSchedulers
	case "--start-daemon", "--stop-daemon":
		cands = []string{"master", "backup"}
	case "--tun-type":
		cands = []string{"ipip", "gue", "gre"}
	case "--pe":
		cands = []string{"sip"}
	case "-b", "--sched-flags":
		cands = []string{"sh-fallback", "sh-port", "mh-fallback", "mh-port", "flag-1", "flag-2", "flag-3"}
	case "--mcast-interface":
		ifs, _ := net.Interfaces()
		for _, i := range ifs {
			cands = append(cands, i.Name)
		}
	case "-t", "--tcp-service", "-u", "--udp-service", "--sctp-service", "-f", "--fwmark-service":
		cands = kernelServices(ctx, open, prev)
	case "-r", "--real-server":
		cands = kernelDestinations(ctx, open, words[:len(words)-1])
	default:
		if strings.HasPrefix(cur, "-") || cur == "" {
			cands = ipvsadm.OptionNames()
		}
	}
	for _, c := range cands {
		if strings.HasPrefix(c, cur) {
			fmt.Fprintln(out, c)
		}
	}
	fmt.Fprintf(out, ":%d\n", compNoFile)
	return 0
}

// kernelServices lists the services of the kind the option names, as the
// option takes them ("10.0.0.1:80", "[2001:db8::1]:80", "7").
func kernelServices(ctx context.Context, open func() (ops.Kernel, error), opt string) []string {
	return withServices(ctx, open, func(_ ops.Kernel, svcs []ops.Service) []string {
		var out []string
		for _, s := range svcs {
			switch opt {
			case "-f", "--fwmark-service":
				if s.FWMark != 0 {
					out = append(out, strconv.FormatUint(uint64(s.FWMark), 10))
				}
			default:
				want := map[string]uint16{"-t": ops.ProtoTCP, "--tcp-service": ops.ProtoTCP, "-u": ops.ProtoUDP, "--udp-service": ops.ProtoUDP, "--sctp-service": ops.ProtoSCTP}[opt]
				if s.FWMark == 0 && s.Protocol == want {
					out = append(out, hostPort(s.Address, s.Port))
				}
			}
		}
		return out
	})
}

// withServices opens the kernel and hands it and its services to fn.
// Completion stays silent (no candidates) when either fails.
func withServices(ctx context.Context, open func() (ops.Kernel, error), fn func(ops.Kernel, []ops.Service) []string) []string {
	k, err := open()
	if err != nil {
		return nil
	}
	defer k.Close()
	svcs, err := k.Services(ctx)
	if err != nil {
		return nil
	}
	return fn(k, svcs)
}

// kernelDestinations lists the real servers of the service the earlier
// words name (-t/-u/--sctp-service ADDR:PORT or -f MARK).
func kernelDestinations(ctx context.Context, open func() (ops.Kernel, error), words []string) []string {
	var opt, val string
	for i := 0; i+1 < len(words); i++ {
		switch words[i] {
		case "-t", "--tcp-service", "-u", "--udp-service", "--sctp-service", "-f", "--fwmark-service":
			opt, val = words[i], words[i+1]
		}
	}
	if opt == "" {
		return nil
	}
	return withServices(ctx, open, func(k ops.Kernel, svcs []ops.Service) []string {
		var out []string
		for _, s := range svcs {
			name := hostPort(s.Address, s.Port)
			if s.FWMark != 0 {
				name = strconv.FormatUint(uint64(s.FWMark), 10)
			}
			if name != val {
				continue
			}
			dests, err := k.Destinations(ctx, s.ServiceKey)
			if err != nil {
				return nil
			}
			for _, d := range dests {
				out = append(out, hostPort(d.Address, d.Port))
			}
		}
		return out
	})
}

func hostPort(ip net.IP, port uint16) string {
	return net.JoinHostPort(ip.String(), strconv.Itoa(int(port)))
}
