package lvscf

import (
	"regexp"
	"strings"
)

// Limits from piranha's sources: lvs.cf(5) limits send and expect to 255
// characters, nanny reads at most 254 bytes of an answer (read_buf[255]),
// and external_check copies send_program into a 255-byte buffer.
const (
	maxCheckString = 255
	maxSendProgram = 254
)

// healthCheck is the nanny-related part of a virtual or failover block.
type healthCheck struct {
	bi                        *blockInfo
	send, expect, sendProgram string
	useRegex                  bool
	protocol                  string
}

// ruleHealthChecks checks what nanny will do with send, expect,
// send_program and use_regex.
func ruleHealthChecks(a *analysis) []Diagnostic {
	r := &reporter{a: a}
	for i := range a.cfg.Virtuals {
		v := &a.cfg.Virtuals[i]
		checkHealth(r, healthCheck{&a.virtuals[i].blockInfo, v.Send, v.Expect, v.SendProgram, v.UseRegex, v.Protocol})
	}
	for i := range a.cfg.Failovers {
		fo := &a.cfg.Failovers[i]
		checkHealth(r, healthCheck{&a.failovers[i].blockInfo, fo.Send, fo.Expect, fo.SendProgram, false, fo.Protocol})
	}
	return r.out
}

func checkHealth(r *reporter, h healthCheck) {
	bi := h.bi
	for _, k := range []struct{ key, s string }{{"send", h.send}, {"expect", h.expect}} {
		if !bi.has(k.key) {
			continue
		}
		// With use_regex, other escapes are meant for regcomp (e.g. "\.").
		if !(k.key == "expect" && h.useRegex) {
			seen := map[string]bool{}
			for _, e := range checkEscapes(k.s) {
				if !seen[e] {
					seen[e] = true
					r.atKey(bi, k.key, SevWarning, "bad-escape",
						"%s: nanny only translates \\\\ \\r \\n \\t \\' and \\\"; %q is sent as written", k.key, e)
				}
			}
		}
		if len(k.s) > maxCheckString {
			r.atKey(bi, k.key, SevError, "string-too-long", "%s is %d bytes; piranha allows %d", k.key, len(k.s), maxCheckString)
		}
	}
	if bi.has("send_program") {
		p := h.sendProgram
		words := strings.Split(p, " ")
		host := false
		for _, w := range words {
			if w == "%h" {
				host = true
			}
		}
		switch {
		case host:
		case strings.Contains(p, "%h"):
			r.atKey(bi, "send_program", SevWarning, "send-program-host",
				"nanny only replaces %%h when it is a word of its own (it splits send_program on spaces)")
		default:
			r.atKey(bi, "send_program", SevWarning, "send-program-host",
				"send_program has no %%h: every real server would be checked with the same command")
		}
		if strings.ContainsAny(p, "|;&<>`$'\"*?") {
			r.atKey(bi, "send_program", SevWarning, "send-program-shell",
				"send_program is not run by a shell (nanny splits it on spaces and execs it): quotes, pipes and redirections are passed literally; wrap them in a script")
		}
		if len(p) > maxSendProgram {
			r.atKey(bi, "send_program", SevError, "string-too-long",
				"send_program is %d bytes; nanny copies it into a %d-byte buffer", len(p), maxSendProgram+1)
		}
		if bi.has("send") {
			r.atKey(bi, "send", SevWarning, "send-ignored", "send is ignored when send_program is set")
		}
		if !bi.has("expect") {
			r.atKey(bi, "send_program", SevError, "send-program-expect",
				"send_program without expect: nanny marks the server down whenever the program prints anything")
		}
		if h.useRegex {
			r.atKey(bi, "use_regex", SevWarning, "regex-ignored",
				"use_regex does not apply to send_program: nanny compares the program's output with expect exactly")
		}
	}
	if h.useRegex {
		switch {
		case !bi.has("expect"):
			r.atKey(bi, "use_regex", SevWarning, "regex-without-expect", "use_regex = 1 but there is no expect")
		default:
			if _, err := regexp.CompilePOSIX(h.expect); err != nil {
				r.atKey(bi, "expect", SevError, "bad-regex", "expect is not a valid POSIX extended regular expression: %v", err)
			} else if strings.Contains(h.expect, `\d`) {
				r.atKey(bi, "expect", SevWarning, "bad-regex", `expect uses \d, which POSIX regular expressions (nanny's regcomp) do not know; use [0-9]`)
			}
		}
	}
	if h.protocol == "udp" && !bi.has("send") && !bi.has("send_program") {
		r.atBlock(bi.b, SevWarning, "udp-no-send", "UDP service without send or send_program: nanny waits for an answer to nothing")
	}
}
