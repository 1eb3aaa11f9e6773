package keepalived

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// parseIP reads an address lvs.cf can hold: no IPv6 zone, not the
// unspecified address (which Import uses as its placeholder).
func parseIP(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	switch {
	case err != nil:
		return a, err
	case a.Zone() != "":
		return a, errors.New("addresses with a zone cannot be written in lvs.cf")
	case a.IsUnspecified():
		return a, errors.New("the unspecified address")
	}
	return a.Unmap(), nil
}

// validDevice follows lvscf's rule for devices: 1 to 15 bytes (IFNAMSIZ-1),
// no blanks, quotes or '/', and NAME:ALIAS for an alias.
func validDevice(s string) bool {
	if s == "" || len(s) > 15 || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == '/' || c >= 0x7f || c == '"' || c == '\'' || c == '{' || c == '}' || c == '#' {
			return false
		}
	}
	if base, alias, ok := strings.Cut(s, ":"); ok && (base == "" || alias == "" || strings.Contains(alias, ":")) {
		return false
	}
	return true
}

// directorPos is where the directors were named, for messages.
func (im *importer) directorPos() Pos {
	switch {
	case im.ownPos.File != "":
		return im.ownPos
	case im.role != nil:
		return im.role.Pos
	}
	return im.top
}

// sanitize removes what keepalived.conf allows but lvs.cf (or IPVS)
// refuses, so that the result always lints clean: a director that is also
// a floating address, a real server that is its own VIP, real servers or
// services listed twice.
func (im *importer) sanitize() {
	floating := map[string]bool{}
	for _, v := range im.virtuals {
		floating[v.addr.String()] = true
	}
	if ip, _, ok := strings.Cut(im.natRouter, " "); ok {
		floating[ip] = true
	}
	if im.backup != "" && im.backup == im.primary {
		im.warn(im.directorPos(), "backup", "%s is also the primary: not carried over", im.backup)
		im.backup = ""
	}
	if im.primary != placeholder && floating[im.primary] {
		im.warn(im.directorPos(), "primary", "%s is also a floating address: not carried over; primary = %s is a placeholder", im.primary, placeholder)
		im.primary = placeholder
	}
	if floating[im.backup] {
		im.warn(im.directorPos(), "backup", "%s is also a floating address: not carried over", im.backup)
		im.backup = ""
	}
	services := map[string]bool{}
	kept := im.virtuals[:0]
	for _, v := range im.virtuals {
		if v.fwmark == 0 {
			key := fmt.Sprintf("%s %s %s", v.protocol, v.addr, v.port)
			if services[key] {
				im.warn(v.pos, "virtual_server", "%s %s:%s is defined twice: not carried over", v.protocol, v.addr, v.port)
				continue
			}
			services[key] = true
		}
		seen := map[string]bool{}
		servers := v.servers[:0]
		for _, s := range v.servers {
			rport := s.port
			if im.network != "nat" && v.fwmark == 0 {
				rport = v.port // ipvsadm uses the service port for DR and TUN
			}
			key := s.addr.String() + " " + rport
			switch {
			case s.addr == v.addr:
				im.warn(v.pos, "real_server", "%s is the virtual address itself: not carried over", s.addr)
			case seen[key]:
				im.warn(v.pos, "real_server", "%s port %s is listed twice (for %s the real server port is the virtual's): not carried over", s.addr, rport, im.network)
			default:
				seen[key] = true
				servers = append(servers, s)
			}
		}
		v.servers = servers
		kept = append(kept, v)
	}
	im.virtuals = kept
}
