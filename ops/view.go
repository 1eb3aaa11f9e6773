package ops

import (
	"context"
	"fmt"
	"net"
	"strings"
)

// TableSchemaVersion is TableView's schema_version: it goes up when a
// field is renamed, removed or changes meaning (adding a field does not
// change it), so that scripts reading "lvsadm list" can tell.
const TableSchemaVersion = 1

// TableView is the kernel's IPVS table in a form meant for machines (lvsadm
// list -o json|yaml, the TUI, the daemon's status): names instead of
// numeric codes, one field per fact, destinations inside their service.
// The field names are stable (docs/output.md).
type TableView struct {
	SchemaVersion int           `json:"schema_version" yaml:"schema_version"`
	Version       string        `json:"version" yaml:"version"`
	ConnTabSize   uint32        `json:"conn_table_size" yaml:"conn_table_size"`
	Services      []ServiceView `json:"services" yaml:"services"`
}

// ServiceView is one virtual service.
type ServiceView struct {
	Family       string            `json:"family" yaml:"family"`
	Protocol     string            `json:"protocol,omitempty" yaml:"protocol,omitempty"`
	Address      string            `json:"address,omitempty" yaml:"address,omitempty"`
	Port         uint16            `json:"port,omitempty" yaml:"port,omitempty"`
	FWMark       uint32            `json:"fwmark,omitempty" yaml:"fwmark,omitempty"`
	Scheduler    string            `json:"scheduler" yaml:"scheduler"`
	Persistent   bool              `json:"persistent" yaml:"persistent"`
	Timeout      uint32            `json:"persistence_timeout,omitempty" yaml:"persistence_timeout,omitempty"`
	Netmask      string            `json:"netmask,omitempty" yaml:"netmask,omitempty"`
	OnePacket    bool              `json:"one_packet,omitempty" yaml:"one_packet,omitempty"`
	SchedFlags   []string          `json:"sched_flags,omitempty" yaml:"sched_flags,omitempty"`
	PEName       string            `json:"pe,omitempty" yaml:"pe,omitempty"`
	Stats        CounterView       `json:"stats" yaml:"stats"`
	Rates        RateView          `json:"rates" yaml:"rates"`
	Destinations []DestinationView `json:"destinations" yaml:"destinations"`
}

// DestinationView is one real server.
type DestinationView struct {
	Address         string      `json:"address" yaml:"address"`
	Port            uint16      `json:"port" yaml:"port"`
	Forward         string      `json:"forward" yaml:"forward"`
	Weight          int32       `json:"weight" yaml:"weight"`
	UpperThreshold  uint32      `json:"upper_threshold" yaml:"upper_threshold"`
	LowerThreshold  uint32      `json:"lower_threshold" yaml:"lower_threshold"`
	ActiveConns     uint32      `json:"active_conns" yaml:"active_conns"`
	InactiveConns   uint32      `json:"inactive_conns" yaml:"inactive_conns"`
	PersistentConns uint32      `json:"persistent_conns" yaml:"persistent_conns"`
	TunnelType      string      `json:"tunnel_type,omitempty" yaml:"tunnel_type,omitempty"`
	TunnelPort      uint16      `json:"tunnel_port,omitempty" yaml:"tunnel_port,omitempty"`
	TunnelFlags     []string    `json:"tunnel_flags,omitempty" yaml:"tunnel_flags,omitempty"`
	Stats           CounterView `json:"stats" yaml:"stats"`
	Rates           RateView    `json:"rates" yaml:"rates"`
}

// CounterView holds cumulative counters.
type CounterView struct {
	Conns    uint64 `json:"conns" yaml:"conns"`
	InPkts   uint64 `json:"in_pkts" yaml:"in_pkts"`
	OutPkts  uint64 `json:"out_pkts" yaml:"out_pkts"`
	InBytes  uint64 `json:"in_bytes" yaml:"in_bytes"`
	OutBytes uint64 `json:"out_bytes" yaml:"out_bytes"`
}

// RateView holds the kernel's rate estimates (per second).
type RateView struct {
	CPS    uint64 `json:"cps" yaml:"cps"`
	InPPS  uint64 `json:"in_pps" yaml:"in_pps"`
	OutPPS uint64 `json:"out_pps" yaml:"out_pps"`
	InBPS  uint64 `json:"in_bps" yaml:"in_bps"`
	OutBPS uint64 `json:"out_bps" yaml:"out_bps"`
}

// ReadTable reads the whole table (services in kernel order) through k.
func ReadTable(ctx context.Context, k Kernel) (TableView, error) {
	info, err := k.Info(ctx)
	if err != nil {
		return TableView{}, fmt.Errorf("reading IPVS info: %w", err)
	}
	tab, err := Read(ctx, k)
	if err != nil {
		return TableView{}, err
	}
	t := TableView{SchemaVersion: TableSchemaVersion, Version: VersionString(info.Version), ConnTabSize: info.ConnTabSize, Services: make([]ServiceView, 0, len(tab))}
	for _, vs := range tab {
		t.Services = append(t.Services, ViewService(vs.Service, vs.Destinations))
	}
	return t, nil
}

// VersionString renders the kernel's packed IPVS version as 1.2.1.
func VersionString(v uint32) string {
	return fmt.Sprintf("%d.%d.%d", v>>16, (v>>8)&0xff, v&0xff)
}

// ViewService converts a service and its destinations.
func ViewService(s Service, dests []Destination) ServiceView {
	v := ServiceView{
		Family:       FamilyName(s.Family),
		Scheduler:    s.Scheduler,
		Persistent:   s.Flags&SvcPersistent != 0,
		OnePacket:    s.Flags&SvcOnePacket != 0,
		PEName:       s.PEName,
		Stats:        counters(s.Stats),
		Rates:        rates(s.Stats),
		Destinations: make([]DestinationView, 0, len(dests)),
	}
	if s.FWMark != 0 {
		v.FWMark = s.FWMark
	} else {
		v.Protocol = ProtocolName(s.Protocol)
		v.Address = s.Address.String()
		v.Port = s.Port
	}
	if v.Persistent {
		v.Timeout = s.Timeout
		if s.Family == AFInet6 {
			v.Netmask = fmt.Sprintf("%d", s.Netmask)
		} else {
			m := s.Netmask
			v.Netmask = net.IPv4(byte(m>>24), byte(m>>16), byte(m>>8), byte(m)).String()
		}
	}
	for _, f := range []struct {
		bit  uint32
		name string
	}{{SvcSchedFlag1, "flag-1"}, {SvcSchedFlag2, "flag-2"}, {SvcSchedFlag3, "flag-3"}} {
		if s.Flags&f.bit != 0 {
			v.SchedFlags = append(v.SchedFlags, f.name)
		}
	}
	for _, d := range dests {
		dv := DestinationView{
			Address:         d.Address.String(),
			Port:            d.Port,
			Forward:         ForwardName(d.ConnFlags),
			Weight:          d.Weight,
			UpperThreshold:  d.UThreshold,
			LowerThreshold:  d.LThreshold,
			ActiveConns:     d.ActiveConns,
			InactiveConns:   d.InactConns,
			PersistentConns: d.PersistConns,
			Stats:           counters(d.Stats),
			Rates:           rates(d.Stats),
		}
		if d.ConnFlags&FwdMask == FwdTunnel {
			dv.TunnelType = TunnelName(d.TunType)
			if d.TunType == TunGUE {
				dv.TunnelPort = d.TunPort
			}
			if d.TunFlags&TunFlagCsum != 0 {
				dv.TunnelFlags = append(dv.TunnelFlags, "csum")
			}
			if d.TunFlags&TunFlagRemCsum != 0 {
				dv.TunnelFlags = append(dv.TunnelFlags, "remcsum")
			}
		}
		v.Destinations = append(v.Destinations, dv)
	}
	return v
}

func counters(s Stats) CounterView {
	return CounterView{Conns: s.Conns, InPkts: s.InPkts, OutPkts: s.OutPkts, InBytes: s.InBytes, OutBytes: s.OutBytes}
}

func rates(s Stats) RateView {
	return RateView{CPS: s.CPS, InPPS: s.InPPS, OutPPS: s.OutPPS, InBPS: s.InBPS, OutBPS: s.OutBPS}
}

// FamilyName names an address family.
func FamilyName(f uint16) string {
	switch f {
	case AFInet:
		return "inet"
	case AFInet6:
		return "inet6"
	}
	return fmt.Sprintf("af%d", f)
}

// ProtocolName names a service protocol in lower case ("proto%d" for one
// IPVS does not serve).
func ProtocolName(p uint16) string {
	if lower, _, ok := ProtocolNames(p); ok {
		return lower
	}
	return fmt.Sprintf("proto%d", p)
}

// ProtocolNames is the one table of the protocols IPVS serves: p's name
// in lower case (as lvs.cf, /etc/services and the machine-readable
// outputs write it) and in upper case (as ipvsadm's listings and
// /proc/net/ip_vs do), and false for any other protocol.
func ProtocolNames(p uint16) (lower, upper string, ok bool) {
	switch p {
	case ProtoTCP:
		return "tcp", "TCP", true
	case ProtoUDP:
		return "udp", "UDP", true
	case ProtoSCTP:
		return "sctp", "SCTP", true
	}
	return "", "", false
}

// ForwardName names a destination's forwarding method.
func ForwardName(connFlags uint32) string {
	switch connFlags & FwdMask {
	case FwdMasq:
		return "masq"
	case FwdLocal:
		return "local"
	case FwdTunnel:
		return "tunnel"
	case FwdRoute:
		return "route"
	case FwdBypass:
		return "bypass"
	}
	return "unknown"
}

// TunnelName names a tunnel encapsulation.
func TunnelName(t uint8) string {
	switch t {
	case TunIPIP:
		return "ipip"
	case TunGUE:
		return "gue"
	case TunGRE:
		return "gre"
	}
	return fmt.Sprintf("type%d", t)
}

// String renders a key the way lvsadm's messages name a service.
func (k ServiceKey) String() string {
	if k.FWMark != 0 {
		return fmt.Sprintf("fwmark %d", k.FWMark)
	}
	host := k.Address.String()
	if k.Family == AFInet6 || strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return fmt.Sprintf("%s %s:%d", ProtocolName(k.Protocol), host, k.Port)
}
