package metrics

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/ops"
)

func fakeSnapshot() Snapshot {
	yes := true
	return Snapshot{
		Role:             "active",
		Heartbeats:       []Heartbeat{{Link: "public", Age: 1500 * time.Millisecond}},
		Failovers:        3,
		CheckLocalErrors: 2,
		HeartbeatDropped: map[string]uint64{"foreign": 5, "forged": 1, "queue_full": 0},
		ReloadFailures:   1,
		Version:          "1.2.3",
		GoVersion:        "go1.26.8",
		ConfigSerial:     7,
		PeerConfigMatch:  &yes,
		Servers: []RealServer{
			{Virtual: "web", Server: "rs2", Address: "10.0.0.2", Port: 80, Up: false, Override: "drain", State: "quiesced"},
			{Virtual: "web", Server: "rs1", Address: "10.0.0.1", Port: 80, Up: true, LastCheck: 2 * time.Millisecond, HasCheck: true, State: "up"},
		},
		IPVS: &IPVS{
			Total: ops.Stats{Conns: 10, InPkts: 20, OutPkts: 30, InBytes: 4000, OutBytes: 5000},
			Services: []Service{
				{LocalAddress: "192.168.50.10", LocalPort: "80", Proto: "TCP", Stats: ops.Stats{Conns: 10, InPkts: 20, OutPkts: 30, InBytes: 4000, OutBytes: 5000}},
			},
			Backends: []Backend{
				{LocalAddress: "192.168.50.10", LocalPort: "80", RemoteAddress: "10.0.0.1", RemotePort: "80", Proto: "TCP", Active: 4, Inactive: 5, Weight: 1,
					Stats: ops.Stats{Conns: 10, InPkts: 20, OutPkts: 30, InBytes: 4000, OutBytes: 5000}},
				{LocalPort: "0", RemoteAddress: "10.0.0.3", RemotePort: "0", Proto: "FWM", LocalMark: "00000064", Weight: 2},
			},
		},
	}
}

const golden = `# HELP lvsadm_build_info lvsadm's version and the Go version it was built with.
# TYPE lvsadm_build_info gauge
lvsadm_build_info{version="1.2.3",goversion="go1.26.8"} 1
# HELP lvsadm_config_serial serial_no of the running lvs.cf.
# TYPE lvsadm_config_serial gauge
lvsadm_config_serial 7
# HELP lvsadm_failovers_total Role changes (takeovers and hand-overs) of this director since it started.
# TYPE lvsadm_failovers_total counter
lvsadm_failovers_total 3
# HELP lvsadm_health_check_local_errors_total Health checks the director could not run through its own fault (EMFILE, ENOBUFS, a program that cannot start); they mark no real server down.
# TYPE lvsadm_health_check_local_errors_total counter
lvsadm_health_check_local_errors_total 2
# HELP lvsadm_heartbeat_age_seconds Seconds since the partner's last heartbeat, by link.
# TYPE lvsadm_heartbeat_age_seconds gauge
lvsadm_heartbeat_age_seconds{link="public"} 1.5
# HELP lvsadm_heartbeat_dropped_total Heartbeat datagrams dropped before the failover state machine: from an address that is not the partner's (foreign), unsigned or failing the key (forged), or on a full queue (queue_full).
# TYPE lvsadm_heartbeat_dropped_total counter
lvsadm_heartbeat_dropped_total{reason="foreign"} 5
lvsadm_heartbeat_dropped_total{reason="forged"} 1
lvsadm_heartbeat_dropped_total{reason="queue_full"} 0
# HELP lvsadm_ipvs_backend_connections_active The current active connections by local and remote address.
# TYPE lvsadm_ipvs_backend_connections_active gauge
lvsadm_ipvs_backend_connections_active{local_address="",local_port="0",remote_address="10.0.0.3",remote_port="0",proto="FWM",local_mark="00000064"} 0
lvsadm_ipvs_backend_connections_active{local_address="192.168.50.10",local_port="80",remote_address="10.0.0.1",remote_port="80",proto="TCP",local_mark=""} 4
# HELP lvsadm_ipvs_backend_connections_inactive The current inactive connections by local and remote address.
# TYPE lvsadm_ipvs_backend_connections_inactive gauge
lvsadm_ipvs_backend_connections_inactive{local_address="",local_port="0",remote_address="10.0.0.3",remote_port="0",proto="FWM",local_mark="00000064"} 0
lvsadm_ipvs_backend_connections_inactive{local_address="192.168.50.10",local_port="80",remote_address="10.0.0.1",remote_port="80",proto="TCP",local_mark=""} 5
# HELP lvsadm_ipvs_backend_connections_total The total number of connections made, by local and remote address.
# TYPE lvsadm_ipvs_backend_connections_total counter
lvsadm_ipvs_backend_connections_total{local_address="",local_port="0",remote_address="10.0.0.3",remote_port="0",proto="FWM",local_mark="00000064"} 0
lvsadm_ipvs_backend_connections_total{local_address="192.168.50.10",local_port="80",remote_address="10.0.0.1",remote_port="80",proto="TCP",local_mark=""} 10
# HELP lvsadm_ipvs_backend_incoming_bytes_total The total amount of incoming data, by local and remote address.
# TYPE lvsadm_ipvs_backend_incoming_bytes_total counter
lvsadm_ipvs_backend_incoming_bytes_total{local_address="",local_port="0",remote_address="10.0.0.3",remote_port="0",proto="FWM",local_mark="00000064"} 0
lvsadm_ipvs_backend_incoming_bytes_total{local_address="192.168.50.10",local_port="80",remote_address="10.0.0.1",remote_port="80",proto="TCP",local_mark=""} 4000
# HELP lvsadm_ipvs_backend_incoming_packets_total The total number of incoming packets, by local and remote address.
# TYPE lvsadm_ipvs_backend_incoming_packets_total counter
lvsadm_ipvs_backend_incoming_packets_total{local_address="",local_port="0",remote_address="10.0.0.3",remote_port="0",proto="FWM",local_mark="00000064"} 0
lvsadm_ipvs_backend_incoming_packets_total{local_address="192.168.50.10",local_port="80",remote_address="10.0.0.1",remote_port="80",proto="TCP",local_mark=""} 20
# HELP lvsadm_ipvs_backend_outgoing_bytes_total The total amount of outgoing data, by local and remote address.
# TYPE lvsadm_ipvs_backend_outgoing_bytes_total counter
lvsadm_ipvs_backend_outgoing_bytes_total{local_address="",local_port="0",remote_address="10.0.0.3",remote_port="0",proto="FWM",local_mark="00000064"} 0
lvsadm_ipvs_backend_outgoing_bytes_total{local_address="192.168.50.10",local_port="80",remote_address="10.0.0.1",remote_port="80",proto="TCP",local_mark=""} 5000
# HELP lvsadm_ipvs_backend_outgoing_packets_total The total number of outgoing packets, by local and remote address.
# TYPE lvsadm_ipvs_backend_outgoing_packets_total counter
lvsadm_ipvs_backend_outgoing_packets_total{local_address="",local_port="0",remote_address="10.0.0.3",remote_port="0",proto="FWM",local_mark="00000064"} 0
lvsadm_ipvs_backend_outgoing_packets_total{local_address="192.168.50.10",local_port="80",remote_address="10.0.0.1",remote_port="80",proto="TCP",local_mark=""} 30
# HELP lvsadm_ipvs_backend_weight The current backend weight by local and remote address.
# TYPE lvsadm_ipvs_backend_weight gauge
lvsadm_ipvs_backend_weight{local_address="",local_port="0",remote_address="10.0.0.3",remote_port="0",proto="FWM",local_mark="00000064"} 2
lvsadm_ipvs_backend_weight{local_address="192.168.50.10",local_port="80",remote_address="10.0.0.1",remote_port="80",proto="TCP",local_mark=""} 1
# HELP lvsadm_ipvs_connections_total The total number of connections made.
# TYPE lvsadm_ipvs_connections_total counter
lvsadm_ipvs_connections_total 10
# HELP lvsadm_ipvs_incoming_bytes_total The total amount of incoming data.
# TYPE lvsadm_ipvs_incoming_bytes_total counter
lvsadm_ipvs_incoming_bytes_total 4000
# HELP lvsadm_ipvs_incoming_packets_total The total number of incoming packets.
# TYPE lvsadm_ipvs_incoming_packets_total counter
lvsadm_ipvs_incoming_packets_total 20
# HELP lvsadm_ipvs_outgoing_bytes_total The total amount of outgoing data.
# TYPE lvsadm_ipvs_outgoing_bytes_total counter
lvsadm_ipvs_outgoing_bytes_total 5000
# HELP lvsadm_ipvs_outgoing_packets_total The total number of outgoing packets.
# TYPE lvsadm_ipvs_outgoing_packets_total counter
lvsadm_ipvs_outgoing_packets_total 30
# HELP lvsadm_ipvs_service_connections_total The total number of connections made, by virtual service.
# TYPE lvsadm_ipvs_service_connections_total counter
lvsadm_ipvs_service_connections_total{local_address="192.168.50.10",local_port="80",proto="TCP",local_mark=""} 10
# HELP lvsadm_ipvs_service_incoming_bytes_total The total amount of incoming data, by virtual service.
# TYPE lvsadm_ipvs_service_incoming_bytes_total counter
lvsadm_ipvs_service_incoming_bytes_total{local_address="192.168.50.10",local_port="80",proto="TCP",local_mark=""} 4000
# HELP lvsadm_ipvs_service_incoming_packets_total The total number of incoming packets, by virtual service.
# TYPE lvsadm_ipvs_service_incoming_packets_total counter
lvsadm_ipvs_service_incoming_packets_total{local_address="192.168.50.10",local_port="80",proto="TCP",local_mark=""} 20
# HELP lvsadm_ipvs_service_outgoing_bytes_total The total amount of outgoing data, by virtual service.
# TYPE lvsadm_ipvs_service_outgoing_bytes_total counter
lvsadm_ipvs_service_outgoing_bytes_total{local_address="192.168.50.10",local_port="80",proto="TCP",local_mark=""} 5000
# HELP lvsadm_ipvs_service_outgoing_packets_total The total number of outgoing packets, by virtual service.
# TYPE lvsadm_ipvs_service_outgoing_packets_total counter
lvsadm_ipvs_service_outgoing_packets_total{local_address="192.168.50.10",local_port="80",proto="TCP",local_mark=""} 30
# HELP lvsadm_ipvs_up Whether the IPVS table could be read.
# TYPE lvsadm_ipvs_up gauge
lvsadm_ipvs_up 1
# HELP lvsadm_peer_config_match Whether the partner runs the same lvs.cf (absent until it has said).
# TYPE lvsadm_peer_config_match gauge
lvsadm_peer_config_match 1
# HELP lvsadm_real_server_check_duration_seconds Duration of the real server's last health check.
# TYPE lvsadm_real_server_check_duration_seconds gauge
lvsadm_real_server_check_duration_seconds{virtual="web",server="rs1",address="10.0.0.1",port="80"} 0.002
# HELP lvsadm_real_server_override Operator overrides in force (lvsadm drain, weight, out), by kind: 1 while set.
# TYPE lvsadm_real_server_override gauge
lvsadm_real_server_override{virtual="web",server="rs2",kind="drain"} 1
# HELP lvsadm_real_server_state The real server's health state, 1 for the current one: up, down, quiesced (down, kept at weight 0), reentry (good checks again, not yet for reentry seconds), unknown (not checked yet), off (inactive in lvs.cf).
# TYPE lvsadm_real_server_state gauge
lvsadm_real_server_state{virtual="web",server="rs1",state="down"} 0
lvsadm_real_server_state{virtual="web",server="rs1",state="off"} 0
lvsadm_real_server_state{virtual="web",server="rs1",state="quiesced"} 0
lvsadm_real_server_state{virtual="web",server="rs1",state="reentry"} 0
lvsadm_real_server_state{virtual="web",server="rs1",state="unknown"} 0
lvsadm_real_server_state{virtual="web",server="rs1",state="up"} 1
lvsadm_real_server_state{virtual="web",server="rs2",state="down"} 0
lvsadm_real_server_state{virtual="web",server="rs2",state="off"} 0
lvsadm_real_server_state{virtual="web",server="rs2",state="quiesced"} 1
lvsadm_real_server_state{virtual="web",server="rs2",state="reentry"} 0
lvsadm_real_server_state{virtual="web",server="rs2",state="unknown"} 0
lvsadm_real_server_state{virtual="web",server="rs2",state="up"} 0
# HELP lvsadm_real_server_up Whether the real server passes its health check.
# TYPE lvsadm_real_server_up gauge
lvsadm_real_server_up{virtual="web",server="rs1",address="10.0.0.1",port="80"} 1
lvsadm_real_server_up{virtual="web",server="rs2",address="10.0.0.2",port="80"} 0
# HELP lvsadm_reload_failures_total Reloads refused (lint errors, settings the running daemon cannot take) since the daemon started.
# TYPE lvsadm_reload_failures_total counter
lvsadm_reload_failures_total 1
# HELP lvsadm_role The director's role (1 for the current one).
# TYPE lvsadm_role gauge
lvsadm_role{role="active"} 1
`

func render(t *testing.T, s Snapshot) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, s); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	got := render(t, fakeSnapshot())
	if got != golden {
		t.Errorf("got:\n%s\nwant:\n%s", got, golden)
	}
	if _, err := parse(got); err != nil {
		t.Error(err)
	}
}

func TestStableOrder(t *testing.T) {
	a := fakeSnapshot()
	b := fakeSnapshot()
	b.Servers[0], b.Servers[1] = b.Servers[1], b.Servers[0]
	b.IPVS.Backends[0], b.IPVS.Backends[1] = b.IPVS.Backends[1], b.IPVS.Backends[0]
	if ra, rb := render(t, a), render(t, b); ra != rb {
		t.Errorf("order depends on input order:\n%s\n---\n%s", ra, rb)
	}
}

func TestEscaping(t *testing.T) {
	s := Snapshot{Role: "a\\b\"c\nd", Servers: []RealServer{{Virtual: "v\"", Server: `s\`, Address: "x\ny", Port: 1}}}
	out := render(t, s)
	if !strings.Contains(out, `lvsadm_role{role="a\\b\"c\nd"} 1`+"\n") {
		t.Errorf("role not escaped:\n%s", out)
	}
	if !strings.Contains(out, `lvsadm_real_server_up{virtual="v\"",server="s\\",address="x\ny",port="1"} 0`+"\n") {
		t.Errorf("server labels not escaped:\n%s", out)
	}
	ms, err := parse(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.name == "lvsadm_role" && m.labels["role"] != s.Role {
			t.Errorf("role round trip: %q", m.labels["role"])
		}
	}
	// No IPVS: only lvsadm_ipvs_up 0, no peer match, still valid.
	if !strings.Contains(out, "lvsadm_ipvs_up 0\n") || strings.Contains(out, "\nlvsadm_ipvs_connections_total ") || strings.Contains(out, "\nlvsadm_peer_config_match ") {
		t.Errorf("without IPVS:\n%s", out)
	}
}

func TestParserRejects(t *testing.T) {
	for _, bad := range []string{
		"1metric 1\n",
		"m{a=\"b} 1\n",
		"m{a=\"b\"} x\n",
		"m{a=\"b\\q\"} 1\n",
		"m 1\n# TYPE m gauge\n",
		"# TYPE m histogramm\nm 1\n",
		"m{a=\"1\",a=\"2\"} 1\n",
		"m 1",
	} {
		if _, err := parse(bad); err == nil {
			t.Errorf("parser accepted %q", bad)
		}
	}
}

type metric struct {
	name   string
	labels map[string]string
	value  float64
}

var nameRE = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*`)
var labelRE = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*`)

// parse checks text against the exposition format's line grammar: HELP and
// TYPE comments, samples of name, optional labels with escaped values, and
// a float value; TYPE before the family's samples, each family once.
func parse(text string) ([]metric, error) {
	if text != "" && !strings.HasSuffix(text, "\n") {
		return nil, fmt.Errorf("no final newline")
	}
	var out []metric
	typed := map[string]bool{}
	seen := map[string]bool{}
	for n, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		n++
		if rest, ok := strings.CutPrefix(line, "# "); ok {
			f := strings.SplitN(rest, " ", 3)
			if len(f) < 3 || (f[0] != "HELP" && f[0] != "TYPE") {
				continue // a plain comment
			}
			if nameRE.FindString(f[1]) != f[1] {
				return nil, fmt.Errorf("line %d: bad name %q", n, f[1])
			}
			if f[0] == "TYPE" {
				switch f[2] {
				case "counter", "gauge", "histogram", "summary", "untyped":
				default:
					return nil, fmt.Errorf("line %d: bad type %q", n, f[2])
				}
				if seen[f[1]] || typed[f[1]] {
					return nil, fmt.Errorf("line %d: TYPE after samples or twice", n)
				}
				typed[f[1]] = true
			}
			continue
		}
		m := metric{labels: map[string]string{}}
		m.name = nameRE.FindString(line)
		if m.name == "" {
			return nil, fmt.Errorf("line %d: no metric name: %q", n, line)
		}
		rest := line[len(m.name):]
		if strings.HasPrefix(rest, "{") {
			rest = rest[1:]
			for !strings.HasPrefix(rest, "}") {
				l := labelRE.FindString(rest)
				if l == "" || !strings.HasPrefix(rest[len(l):], `="`) {
					return nil, fmt.Errorf("line %d: bad label at %q", n, rest)
				}
				rest = rest[len(l)+2:]
				var v strings.Builder
				closed := false
				for i := 0; i < len(rest); i++ {
					c := rest[i]
					if c == '\\' {
						if i+1 >= len(rest) {
							break
						}
						switch rest[i+1] {
						case '\\':
							v.WriteByte('\\')
						case '"':
							v.WriteByte('"')
						case 'n':
							v.WriteByte('\n')
						default:
							return nil, fmt.Errorf("line %d: bad escape \\%c", n, rest[i+1])
						}
						i++
						continue
					}
					if c == '"' {
						rest, closed = rest[i+1:], true
						break
					}
					v.WriteByte(c)
				}
				if !closed {
					return nil, fmt.Errorf("line %d: unterminated label value", n)
				}
				if _, dup := m.labels[l]; dup {
					return nil, fmt.Errorf("line %d: label %s twice", n, l)
				}
				m.labels[l] = v.String()
				if strings.HasPrefix(rest, ",") {
					rest = rest[1:]
				} else if !strings.HasPrefix(rest, "}") {
					return nil, fmt.Errorf("line %d: expected , or } at %q", n, rest)
				}
			}
			rest = rest[1:]
		}
		f := strings.Fields(rest)
		if !strings.HasPrefix(rest, " ") || len(f) < 1 || len(f) > 2 {
			return nil, fmt.Errorf("line %d: bad value part %q", n, rest)
		}
		v, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: value: %v", n, err)
		}
		if len(f) == 2 {
			if _, err := strconv.ParseInt(f[1], 10, 64); err != nil {
				return nil, fmt.Errorf("line %d: timestamp: %v", n, err)
			}
		}
		m.value = v
		seen[m.name] = true
		out = append(out, m)
	}
	return out, nil
}

func TestHTTP(t *testing.T) {
	addr, stop := startFakeServer(t)
	base := "http://" + addr

	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != ContentType || string(body) != golden {
		t.Errorf("GET /metrics: %d %q\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	resp, err = http.Head(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("HEAD /metrics: %d", resp.StatusCode)
	}
	for _, p := range []string{"/", "/metrics/", "/debug/pprof/"} {
		resp, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
	resp, err = http.Post(base+"/metrics", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /metrics: %d", resp.StatusCode)
	}

	stop()
	if _, err := http.Get(base + "/metrics"); err == nil {
		t.Error("still serving after shutdown")
	}
}

func TestBGPFamilies(t *testing.T) {
	var b strings.Builder
	s := Snapshot{Role: "active", BGP: &BGP{
		Sessions: []BGPSession{{Neighbor: "10.0.0.1", State: "established"}},
		Routes:   []BGPRoute{{Prefix: "192.0.2.10/32", Announced: true}, {Prefix: "192.0.2.20/32"}},
	}}
	if err := Write(&b, s); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`lvsadm_bgp_session_state{neighbor="10.0.0.1",state="established"} 1`,
		`lvsadm_bgp_session_state{neighbor="10.0.0.1",state="idle"} 0`,
		`lvsadm_bgp_route_announced{prefix="192.0.2.10/32"} 1`,
		`lvsadm_bgp_route_announced{prefix="192.0.2.20/32"} 0`,
		"lvsadm_bgp_director_drained 0",
	} {
		if !strings.Contains(b.String(), want+"\n") {
			t.Errorf("missing %q in:\n%s", want, b.String())
		}
	}
	b.Reset()
	Write(&b, Snapshot{Role: "active"})
	if strings.Contains(b.String(), "lvsadm_bgp") {
		t.Errorf("bgp families without a bgp block:\n%s", b.String())
	}
}
