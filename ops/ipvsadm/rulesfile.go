package ipvsadm

import (
	"context"
	"fmt"
	"io"

	"github.com/lvsadm/lvsadm/ops"
)

// This file serves lvsadm's own "restore" subcommand: checking a rules
// file line by line without a kernel, and applying one that stops at the
// first failing line (so that the caller can roll back).

// LineError is one bad line of a rules file.
type LineError struct {
	Line int
	Msg  string
}

// CheckRules reads r as "ipvsadm -R" would and reports every line that
// would fail to parse, with ipvsadm's own message, plus lines that add a
// service or a real server a second time. It needs no kernel: problems
// that only the kernel knows of (a real server of a service that exists
// only in the running table, say) are not reported.
func CheckRules(ctx context.Context, r io.Reader) ([]LineError, error) {
	ps := &parser{prog: "ipvsadm", names: newResolver(ctx)}
	lr := newLineReader(r)
	var bad []LineError
	type destKey struct {
		svc  ops.ServiceID
		dest ops.DestID
	}
	services := map[ops.ServiceID]int{}
	dests := map[destKey]int{}
	for n := 1; ; n++ {
		words, ok := lr.next()
		if !ok {
			break
		}
		if len(words) == 0 {
			continue
		}
		c, perr := ps.parse(append([]string{ps.prog}, words...))
		if perr != nil {
			bad = append(bad, LineError{Line: n, Msg: ruleMessage(perr)})
			continue
		}
		switch c.cmd {
		case cmdAdd:
			k := c.svc.key().ID()
			if prev, dup := services[k]; dup {
				bad = append(bad, LineError{Line: n, Msg: fmt.Sprintf("service %s already added at line %d", ServiceArgs(c.svc.key()), prev)})
				continue
			}
			services[k] = n
		case cmdAddDest:
			d := c.dest.destination()
			k := destKey{c.svc.key().ID(), d.ID()}
			if prev, dup := dests[k]; dup {
				bad = append(bad, LineError{Line: n, Msg: fmt.Sprintf("real server %s already added at line %d", destName(c.svc.key(), d), prev)})
				continue
			}
			dests[k] = n
		case cmdFlush:
			clear(services)
			clear(dests)
		}
	}
	return bad, ctx.Err()
}

// ApplyRules runs each line of r against k as "ipvsadm -R" does, with the
// same messages on stderr, but stops at the first line that fails. It
// returns that line's number, or 0 when every line succeeded.
func ApplyRules(ctx context.Context, k ops.Kernel, r io.Reader, stdout, stderr io.Writer) (failed int) {
	s := newSession(ctx, func() (ops.Kernel, error) { return k, nil }, "ipvsadm", r, stdout, stderr, osGetenv)
	defer s.out.Flush()
	lr := newLineReader(r)
	argv := []string{s.prog}
	for n := 1; ; n++ {
		words, ok := lr.next()
		if !ok {
			return 0
		}
		if len(words) == 0 {
			continue
		}
		argv = append(argv[:1], words...)
		res, err := s.processOptions(argv, true)
		if err != nil {
			if err.msg != "" {
				io.WriteString(s.errw, err.msg)
			}
			if err.code != 0 {
				return n
			}
			continue
		}
		if res != 0 {
			return n
		}
	}
}
