package ipvsadm

import "strings"

// This file reproduces the part of popt 1.19 that ipvsadm uses:
// poptGetNextOpt over a table without aliases, execs or callbacks, plus
// poptGetArg, poptBadOption and poptStrerror. ipvsadm's behaviour on odd
// command lines is popt's, so the quirks are kept:
//
//   - long options need "--" and their exact name (no abbreviation);
//     "--name=value" or "--name value";
//   - a single dash starts a bundle of short options ("-Lcn"); an option
//     taking an argument takes the rest of the bundle ("-srr"), skipping one
//     '=' after the option letter ("-s=rr");
//   - a required argument is the next word whatever it looks like
//     ("-s -p" is scheduler "-p"), an optional one is not taken when the
//     next word starts with '-';
//   - an option without argument given one ("--numeric=1", "-n=1") is an
//     error (popt 1.19; older popt ignored or misparsed it);
//   - words not starting with '-' (and "-") are left over, in any position;
//     "--" makes every later word left over; with POSIXLY_CORRECT set, so
//     does the first left-over word;
//   - "!#:+" in an option argument is replaced by the next left-over word,
//     which is then no longer left over.

// popt error codes (POPT_ERROR_*).
const (
	poptDone           = -1
	poptErrNoArg       = -10
	poptErrBadOp       = -11
	poptErrUnwantedArg = -12
)

func poptStrerror(code int) string {
	switch code {
	case poptErrNoArg:
		return "missing argument"
	case poptErrBadOp:
		return "unknown option"
	case poptErrUnwantedArg:
		return "option does not take an argument"
	default:
		return "unknown error"
	}
}

type poptContext struct {
	argv         []string
	next         int
	nextChar     string // rest of a short option bundle
	hasNextChar  bool   // nextChar is set (it may be empty: "-s=")
	restLeftover bool
	posix        bool
	leftovers    []string
	nextLeftover int
	deleted      []bool // words taken by "!#:+"

	// optArg is the argument of the option last returned; hasOptArg is
	// false when it had none (ipvsadm's optarg == NULL).
	optArg    string
	hasOptArg bool
}

func newPoptContext(argv []string, posix bool) *poptContext {
	return &poptContext{argv: argv, next: 1, posix: posix}
}

// getNextOpt returns the value of the next option, poptDone when there are
// no more, or a popt error code (< -1).
func (p *poptContext) getNextOpt() int {
	for {
		var opt *poptOption
		var longArg string
		hasLongArg := false

		if !p.hasNextChar && p.next >= len(p.argv) {
			return poptDone
		}

		if !p.hasNextChar {
			if p.deleted != nil && p.deleted[p.next] {
				p.next++
				continue
			}
			orig := p.argv[p.next]
			p.next++
			if p.restLeftover || len(orig) == 0 || orig[0] != '-' || orig == "-" {
				if p.posix {
					p.restLeftover = true
				}
				p.leftovers = append(p.leftovers, orig)
				continue
			}
			if orig == "--" {
				p.restLeftover = true
				continue
			}
			s := orig[1:]
			oneDash := true
			if s[0] == '-' {
				s = s[1:]
				oneDash = false
			}
			name := s
			if i := strings.IndexByte(s, '='); i >= 0 {
				name = s[:i]
				longArg = s[i+1:]
				hasLongArg = true
			}
			if !oneDash {
				opt = findLongOption(name)
				if opt == nil {
					return poptErrBadOp
				}
			} else {
				// No option of ipvsadm's may be given with a single dash
				// and its long name: this is a bundle of short options.
				p.nextChar = orig[1:]
				p.hasNextChar = true
				hasLongArg = false
			}
		}

		if p.hasNextChar {
			nc := p.nextChar
			p.hasNextChar = false
			p.nextChar = ""
			if nc == "" {
				return poptErrBadOp
			}
			opt = findShortOption(nc[0])
			if opt == nil {
				return poptErrBadOp
			}
			nc = nc[1:]
			if nc != "" {
				p.nextChar = nc
				p.hasNextChar = true
			}
		}

		if opt.arg == argNone {
			if hasLongArg || (p.hasNextChar && strings.HasPrefix(p.nextChar, "=")) {
				return poptErrUnwantedArg
			}
		} else {
			p.optArg, p.hasOptArg = "", false
			switch {
			case hasLongArg:
				p.optArg, p.hasOptArg = p.expand(longArg), true
			case p.hasNextChar:
				p.optArg, p.hasOptArg = p.expand(strings.TrimPrefix(p.nextChar, "=")), true
				p.nextChar, p.hasNextChar = "", false
			case p.next >= len(p.argv):
				if opt.arg != argOptional {
					return poptErrNoArg
				}
			case opt.arg == argOptional && strings.HasPrefix(p.argv[p.next], "-"):
				// An optional argument is not taken from an option.
			default:
				a := p.argv[p.next]
				p.next++
				p.optArg, p.hasOptArg = p.expand(a), true
			}
		}
		return opt.val
	}
}

// expand replaces popt's "!#:+" with the next left-over word.
func (p *poptContext) expand(s string) string {
	if !strings.Contains(s, "!#:+") {
		return s
	}
	var b strings.Builder
	var next string
	haveNext := false
	for i := 0; i < len(s); {
		if s[i] == '!' && strings.HasPrefix(s[i+1:], "#:+") {
			if !haveNext {
				next, haveNext = p.takeNextArg()
			}
			if haveNext {
				b.WriteString(next)
				i += 4
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// takeNextArg finds the next word from the current position that does not
// start with '-', marks it used and returns it (popt's findNextArg).
func (p *poptContext) takeNextArg() (string, bool) {
	for i := p.next; i < len(p.argv); i++ {
		if p.deleted != nil && p.deleted[i] {
			continue
		}
		if strings.HasPrefix(p.argv[i], "-") {
			continue
		}
		if p.deleted == nil {
			p.deleted = make([]bool, len(p.argv))
		}
		p.deleted[i] = true
		return p.argv[i], true
	}
	return "", false
}

// getArg returns the next left-over word (poptGetArg).
func (p *poptContext) getArg() (string, bool) {
	if p.nextLeftover < len(p.leftovers) {
		a := p.leftovers[p.nextLeftover]
		p.nextLeftover++
		return a, true
	}
	return "", false
}

// badOption is the word popt was at (poptBadOption with
// POPT_BADOPTION_NOALIAS): the last word it consumed, which may be an
// option's argument.
func (p *poptContext) badOption() string {
	if p.next-1 < 0 || p.next-1 >= len(p.argv) {
		return ""
	}
	return p.argv[p.next-1]
}
