package keepalived

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// check is a virtual's nanny check: send/expect (escaped as lvs.cf writes
// them), or a program.
type check struct {
	pos       Pos
	kind      string // "tcp", "http", "misc"
	send      string
	expect    string
	hasExpect bool
	useRegex  bool
	program   string
	timeout   float64
	// what keepalived had: the interval and the time one check may take
	// (connect_timeout, or misc_timeout for MISC_CHECK)
	delay, wait float64
	waitKey     string
	waitPos     Pos // the checker's connect_timeout or misc_timeout, else the checker
}

func (c *check) same(o *check) bool {
	return c.kind == o.kind && c.send == o.send && c.expect == o.expect && c.useRegex == o.useRegex && c.program == o.program
}

// maxCheckString is piranha's limit for send and expect (lvs.cf(5)); a
// send_program must fit nanny's 255-byte buffer.
const (
	maxCheckString = 255
	maxSendProgram = 254
)

// convertCheck maps one keepalived checker to nanny's single check.
//
// nanny runs one check every "timeout" seconds and gives it "timeout"
// seconds; one failure takes the server out. So timeout is
// max(delay_loop, connect_timeout): checks are no more frequent than
// keepalived's, and no slower answer is failed that keepalived accepted.
// Retries cannot be expressed (see timingKey).
func (im *importer) convertCheck(c *Node, addr netip.Addr, rport string, t timing, vhost string) *check {
	chk := &check{pos: c.Pos, kind: "tcp", waitPos: c.Pos}
	var urls []*Node
	var miscPath, miscTimeout string
	for _, k := range c.Children {
		if k.Key == "connect_timeout" && c.Key != "MISC_CHECK" || k.Key == "misc_timeout" && c.Key == "MISC_CHECK" {
			chk.waitPos = k.Pos
		}
		switch k.Key {
		case "delay_loop", "connect_timeout", "retry", "nb_get_retry", "delay_before_retry":
			im.timingKey(k, &t)
		case "connect_port":
			switch p, err := parseUint(k.Arg(0), 65535); {
			case rport == "":
				im.warn(k.Pos, k.Key, "not carried over (the real server has no port; nanny checks the virtual's port)")
			case err != nil || strconv.FormatUint(p, 10) != rport:
				im.warn(k.Pos, k.Key, "not carried over (nanny checks the real server's own port %s)", rport)
			}
		case "url":
			if c.Key == "HTTP_GET" {
				urls = append(urls, k)
				continue
			}
		case "virtualhost":
			if c.Key == "HTTP_GET" {
				vhost = k.Arg(0)
				continue
			}
		case "http_protocol":
			if c.Key == "HTTP_GET" && k.Arg(0) == "1.0" {
				continue
			}
		case "misc_path":
			if c.Key == "MISC_CHECK" {
				miscPath = k.Arg(0)
				continue
			}
		case "misc_timeout":
			if c.Key == "MISC_CHECK" {
				miscTimeout = k.Arg(0)
				continue
			}
		}
		if c.Key == "SSL_GET" || c.Key == "SMTP_CHECK" {
			continue // reported once, for the whole checker
		}
		switch k.Key {
		case "delay_loop", "connect_timeout", "retry", "nb_get_retry", "delay_before_retry", "connect_port":
		default:
			im.drop(k, msgNoEquivalent)
		}
	}
	chk.timeout = math.Max(t.delayLoop, t.connectTimeout)
	chk.delay, chk.wait, chk.waitKey = t.delayLoop, t.connectTimeout, "connect_timeout"
	switch c.Key {
	case "TCP_CHECK":
		if rport == "80" {
			im.warn(c.Pos, c.Key, "approximated: on port 80 nanny cannot do a plain connect; it sends GET / HTTP/1.0 and expects HTTP")
		}
	case "SSL_GET":
		im.warn(c.Pos, c.Key, "not carried over (nanny has no TLS check); a TCP connect check is used")
	case "SMTP_CHECK":
		im.warn(c.Pos, c.Key, "not carried over (lvs.cf has no SMTP check); a TCP connect check is used")
	case "HTTP_GET":
		im.httpCheck(chk, urls, vhost, c)
	case "MISC_CHECK":
		im.miscCheck(chk, c, addr, miscPath, miscTimeout, t)
	}
	return chk
}

func (im *importer) httpCheck(chk *check, urls []*Node, vhost string, c *Node) {
	path, status := "/", defaultStatus()
	for i, u := range urls {
		if i > 0 {
			im.warn(u.Pos, "url", "not carried over (nanny sends one request)")
			continue
		}
		for _, k := range u.Children {
			switch k.Key {
			case "path":
				path = k.Arg(0)
			case "status_code":
				s, err := parseStatusCodes(k.Args)
				if err != nil {
					im.warn(k.Pos, k.Key, "%v: not carried over; 200-299 is used", err)
					continue
				}
				status = s
			case "virtualhost":
				vhost = k.Arg(0)
			case "digest":
				im.warn(k.Pos, k.Key, "not carried over (nanny cannot hash the page; only the status code is checked)")
			default:
				im.drop(k, msgNoEquivalent)
			}
		}
	}
	if !safeHTTPWord(path) || (vhost != "" && !safeHTTPWord(vhost)) {
		im.warn(c.Pos, c.Key, "path or virtualhost cannot be written in an lvs.cf string: a TCP connect check is used")
		return
	}
	send := "GET " + path + ` HTTP/1.0\r\n`
	if vhost != "" {
		send += "Host: " + vhost + `\r\n`
	}
	send += `\r\n`
	expect := status.regex()
	if len(send) > maxCheckString || len(expect) > maxCheckString {
		im.warn(c.Pos, c.Key, "the request or the status codes are longer than piranha's 255 characters: a TCP connect check is used")
		return
	}
	chk.kind, chk.send, chk.expect, chk.hasExpect, chk.useRegex = "http", send, expect, true, true
}

// safeHTTPWord: no blanks, quotes, backslashes or control characters.
func safeHTTPWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == '"' || c == '\'' || c == '\\' || c == 0x7f {
			return false
		}
	}
	return true
}

// miscCheck maps MISC_CHECK to send_program. keepalived looks only at the
// exit status; nanny compares the program's output with expect, so
// expect = "" asks for a program that prints nothing when all is well.
func (im *importer) miscCheck(chk *check, c *Node, addr netip.Addr, path, timeout string, t timing) {
	if path == "" {
		im.warn(c.Pos, c.Key, "no misc_path: a TCP connect check is used")
		return
	}
	if strings.ContainsAny(path, "\"'\\|;&<>`$*?") {
		im.warn(c.Pos, "misc_path", "not carried over (nanny runs send_program without a shell, split on blanks): a TCP connect check is used")
		return
	}
	words := strings.Fields(path)
	host := false
	for i, w := range words {
		if w == addr.String() {
			words[i], host = "%h", true
		}
	}
	prog := strings.Join(words, " ")
	if len(prog) > maxSendProgram {
		im.warn(c.Pos, "misc_path", "longer than nanny's %d bytes: a TCP connect check is used", maxSendProgram)
		return
	}
	if !host {
		im.warn(c.Pos, "misc_path", "does not take the real server's address: every real server is checked with the same command")
	}
	im.warn(c.Pos, "misc_path", `approximated: send_program with expect = "": nanny wants no output when the server is up (keepalived looks only at the exit status)`)
	chk.kind, chk.program, chk.hasExpect = "misc", prog, true
	mt := t.delayLoop // keepalived's misc_timeout default
	if timeout != "" {
		if v, err := parseSeconds(timeout); err == nil && v > 0 {
			mt = v
		} else {
			im.warn(c.Pos, "misc_timeout", "%q: not carried over", timeout)
		}
	}
	chk.timeout = math.Max(t.delayLoop, mt)
	chk.wait, chk.waitKey = mt, "misc_timeout"
}
