package lvscf

import (
	"errors"
	"fmt"
	"strings"
)

// Path addresses a key or a block of an lvs.cf:
//
//	primary                              a global key
//	virtual.www                          a virtual block
//	virtual.www.port                     a key of a virtual block
//	virtual.www.server.web1              a server block
//	virtual.www.server.web1.weight       a key of a server block
//	failover.ftp.active                  a key of a failover block
//	bgp                                  the bgp block (lvsadm)
//	bgp.local_as                         a key of the bgp block
//	bgp.neighbor.[10.0.0.1]              a neighbor block (also bgp.neighbor[10.0.0.1])
//	bgp.neighbor.[10.0.0.1].remote_as    a key of a neighbor block
//
// A name that contains a dot is written in brackets:
// virtual.[www.example.com].server.[10.0.0.1].weight.
type Path struct {
	Kind     BlockKind // BlockRoot, BlockVirtual, BlockServer, BlockFailover, BlockBGP or BlockNeighbor
	Block    string    // virtual or failover name
	Server   string    // server name when Kind is BlockServer
	Neighbor string    // neighbor address (the block's name) when Kind is BlockNeighbor
	Key      string    // "" when the path names a block
}

// ErrPath is wrapped by every path syntax error.
var ErrPath = errors.New("invalid path")

// ParsePath parses the path syntax described on Path.
func ParsePath(s string) (Path, error) {
	var p Path
	// "virtual[www]" and "server[web1]" are accepted as well as
	// "virtual.[www]" and "server.[web1]".
	rest := s
	for _, kw := range []string{"virtual", "failover"} {
		if strings.HasPrefix(rest, kw+"[") {
			rest = kw + ".[" + rest[len(kw)+1:]
		}
	}
	next := func() (string, error) {
		if rest == "" {
			return "", fmt.Errorf("%w %q: missing name", ErrPath, s)
		}
		if rest[0] == '[' {
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return "", fmt.Errorf("%w %q: unclosed '['", ErrPath, s)
			}
			name := rest[1:end]
			rest = rest[end+1:]
			if rest != "" && rest[0] != '.' {
				return "", fmt.Errorf("%w %q: expected '.' after ']'", ErrPath, s)
			}
			rest = strings.TrimPrefix(rest, ".")
			if name == "" {
				return "", fmt.Errorf("%w %q: empty name", ErrPath, s)
			}
			return name, nil
		}
		name, after, _ := strings.Cut(rest, ".")
		rest = after
		if name == "" {
			return "", fmt.Errorf("%w %q: empty segment", ErrPath, s)
		}
		return name, nil
	}
	// inner reads "KW.NAME" or "KW[NAME]" (a block inside the one read
	// so far), when rest starts with KW.
	inner := func(kw string) (string, bool, error) {
		if rest != kw && !strings.HasPrefix(rest, kw+".") && !strings.HasPrefix(rest, kw+"[") {
			return "", false, nil
		}
		if strings.HasPrefix(rest, kw+"[") {
			rest = kw + ".[" + strings.TrimPrefix(rest, kw+"[")
		}
		if _, err := next(); err != nil {
			return "", false, err
		}
		name, err := next()
		return name, err == nil, err
	}
	head, err := next()
	if err != nil {
		return p, err
	}
	switch head {
	case "virtual", "failover":
		p.Kind = blockKind(head)
		if p.Block, err = next(); err != nil {
			return p, err
		}
		if rest == "" {
			return p, nil
		}
		if p.Kind == BlockVirtual {
			var ok bool
			if p.Server, ok, err = inner("server"); err != nil {
				return p, err
			} else if ok {
				p.Kind = BlockServer
			}
		}
		if rest == "" {
			return p, nil
		}
		if p.Key, err = next(); err != nil {
			return p, err
		}
	case "bgp":
		p.Kind = BlockBGP
		var ok bool
		if p.Neighbor, ok, err = inner("neighbor"); err != nil {
			return p, err
		} else if ok {
			p.Kind = BlockNeighbor
		}
		if rest == "" {
			return p, nil
		}
		if p.Key, err = next(); err != nil {
			return p, err
		}
	default:
		if head == "neighbor" {
			return p, fmt.Errorf("%w %q: neighbors are addressed as bgp.neighbor.[ADDRESS]", ErrPath, s)
		}
		if head == "server" {
			return p, fmt.Errorf("%w %q: servers are addressed as virtual.NAME.server.NAME", ErrPath, s)
		}
		p.Kind, p.Key = BlockRoot, head
	}
	if rest != "" {
		return p, fmt.Errorf("%w %q: unexpected %q after the key", ErrPath, s, rest)
	}
	return p, nil
}

// String prints p in the path syntax.
func (p Path) String() string {
	var sb strings.Builder
	seg := func(s string) {
		if sb.Len() > 0 {
			sb.WriteByte('.')
		}
		if strings.ContainsAny(s, ".[]") {
			sb.WriteString("[" + s + "]")
		} else {
			sb.WriteString(s)
		}
	}
	switch p.Kind {
	case BlockVirtual, BlockServer:
		sb.WriteString("virtual")
		seg(p.Block)
		if p.Kind == BlockServer {
			sb.WriteString(".server")
			seg(p.Server)
		}
	case BlockFailover:
		sb.WriteString("failover")
		seg(p.Block)
	case BlockBGP, BlockNeighbor:
		sb.WriteString("bgp")
		if p.Kind == BlockNeighbor {
			sb.WriteString(".neighbor")
			seg(p.Neighbor)
		}
	}
	if p.Key != "" {
		seg(p.Key)
	}
	return sb.String()
}

// blockPrefix is the path of a block's keys up to the key: prefix + key
// is Path{kind, block, server, key}.String() for every key without '.',
// '[' or ']' (every lvs.cf key).
func blockPrefix(kind BlockKind, block, server string) string {
	switch {
	case kind == BlockRoot:
		return ""
	case strings.ContainsAny(block, ".[]") || strings.ContainsAny(server, ".[]"):
		return Path{Kind: kind, Block: block, Server: server}.String() + "."
	case kind == BlockVirtual:
		// One allocation each, not a builder's three: the digest of a
		// 10,000-server file makes 12,000 of them at every reload.
		return "virtual." + block + "."
	case kind == BlockServer:
		return "virtual." + block + ".server." + server + "."
	case kind == BlockFailover:
		return "failover." + block + "."
	}
	return Path{Kind: kind, Block: block, Server: server}.String() + "."
}
