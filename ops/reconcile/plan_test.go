package reconcile

import (
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/ipvsadm"
)

// rules builds a table from -S lines; tests write tables the way admins
// read them.
func rules(t *testing.T, lines ...string) Table {
	t.Helper()
	tab, err := ipvsadm.ParseRules(lines)
	if err != nil {
		t.Fatalf("ParseRules: %v", err)
	}
	return tab
}

func formatAll(cs []Change) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, ipvsadm.FormatChange(c))
	}
	return out
}

func TestPlan(t *testing.T) {
	base := []string{
		"-A -t 10.0.0.1:80 -s wlc",
		"-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 1",
		"-a -t 10.0.0.1:80 -r 10.0.1.2:80 -m -w 1",
	}
	other := []string{"-A -u 10.0.0.9:53 -s rr", "-a -u 10.0.0.9:53 -r 10.0.1.9:53 -m -w 1"}
	for _, tc := range []struct {
		name            string
		desired, actual []string
		prune           bool
		want            []string
	}{
		{name: "equal tables", desired: base, actual: base, want: []string{}},
		{name: "empty kernel", desired: base, actual: nil, want: base},
		{
			name:    "weight change is an edit",
			desired: []string{base[0], base[1], "-a -t 10.0.0.1:80 -r 10.0.1.2:80 -m -w 5"},
			actual:  base,
			want:    []string{"-e -t 10.0.0.1:80 -r 10.0.1.2:80 -m -w 5"},
		},
		{
			name:    "forwarding change is an edit",
			desired: []string{base[0], base[1], "-a -t 10.0.0.1:80 -r 10.0.1.2:80 -g -w 1"},
			actual:  base,
			want:    []string{"-e -t 10.0.0.1:80 -r 10.0.1.2:80 -g -w 1"},
		},
		{
			name:    "scheduler change is an edit",
			desired: []string{"-A -t 10.0.0.1:80 -s rr", base[1], base[2]},
			actual:  base,
			want:    []string{"-E -t 10.0.0.1:80 -s rr"},
		},
		{
			name:    "persistence change is an edit",
			desired: []string{"-A -t 10.0.0.1:80 -s wlc -p 300 -M 255.255.255.0", base[1], base[2]},
			actual:  base,
			want:    []string{"-E -t 10.0.0.1:80 -s wlc -p 300 -M 255.255.255.0"},
		},
		{
			name:    "real server removed and added, deletes first",
			desired: []string{base[0], "-a -t 10.0.0.1:80 -r 10.0.1.3:80 -m -w 1", base[1]},
			actual:  base,
			want:    []string{"-d -t 10.0.0.1:80 -r 10.0.1.2:80", "-a -t 10.0.0.1:80 -r 10.0.1.3:80 -m -w 1"},
		},
		{
			name:    "port change is delete and add",
			desired: []string{base[0], base[1], "-a -t 10.0.0.1:80 -r 10.0.1.2:8080 -m -w 1"},
			actual:  base,
			want:    []string{"-d -t 10.0.0.1:80 -r 10.0.1.2:80", "-a -t 10.0.0.1:80 -r 10.0.1.2:8080 -m -w 1"},
		},
		{
			name:    "services not in desired are left alone",
			desired: base,
			actual:  append(append([]string{}, base...), other...),
			want:    []string{},
		},
		{
			name:    "prune deletes them first",
			desired: []string{"-A -t 10.0.0.2:80 -s rr"},
			actual:  append(append([]string{}, base...), other...),
			prune:   true,
			want:    []string{"-D -t 10.0.0.1:80", "-D -u 10.0.0.9:53", "-A -t 10.0.0.2:80 -s rr"},
		},
		{
			name:    "service add before its destinations, in desired order",
			desired: append(append([]string{}, other...), base...),
			actual:  []string{base[0]},
			want:    append(append([]string{}, other...), base[1], base[2]),
		},
		{
			name:    "fwmark services match whatever the kernel reports",
			desired: []string{"-A -f 3 -s wlc", "-a -f 3 -r 10.0.1.1:5060 -g -w 2"},
			actual:  []string{"-A -f 3 -s wlc", "-a -f 3 -r 10.0.1.1:5060 -g -w 1"},
			want:    []string{"-e -f 3 -r 10.0.1.1:5060 -g -w 2"},
		},
		{
			name:    "tunnel settings count for tunnels",
			desired: []string{"-A -t 10.0.0.1:80", "-a -t 10.0.0.1:80 -r 10.0.1.1 -i -w 1 --tun-type gre --tun-csum"},
			actual:  []string{"-A -t 10.0.0.1:80", "-a -t 10.0.0.1:80 -r 10.0.1.1 -i -w 1"},
			want:    []string{"-e -t 10.0.0.1:80 -r 10.0.1.1:80 -i -w 1 --tun-type gre --tun-csum"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := formatAll(PlanWith(rules(t, tc.desired...), rules(t, tc.actual...), Options{Prune: tc.prune}))
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("plan\n got: %q\nwant: %q", got, tc.want)
			}
		})
	}
}

// TestPlanKernelShapes feeds Plan what the kernel reports, which differs
// from what was asked: the hashed flag, no protocol or address for fwmark
// services, 16-byte IPv4 addresses, destinations without a family, and
// counters.
func TestPlanKernelShapes(t *testing.T) {
	desired := rules(t, "-A -f 3 -s wlc", "-a -f 3 -r 10.0.1.1:0 -m -w 1", "-A -t 10.0.0.1:80 -s rr", "-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 1")
	actual := rules(t, "-A -f 3 -s wlc", "-a -f 3 -r 10.0.1.1:0 -m -w 1", "-A -t 10.0.0.1:80 -s rr", "-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 1")
	for i := range actual {
		s := &actual[i]
		s.Flags |= ops.SvcHashed
		if s.FWMark != 0 {
			s.Protocol, s.Address, s.Port = 0, nil, 0
		} else {
			s.Address = s.Address.To16()
		}
		for j := range s.Destinations {
			d := &s.Destinations[j]
			d.Family, d.Address, d.ActiveConns, d.Stats.Conns = 0, d.Address.To16(), 7, 100
		}
	}
	if got := Plan(desired, actual); len(got) != 0 {
		t.Errorf("plan of equal tables: %q", formatAll(got))
	}
}

func TestPlanOwned(t *testing.T) {
	actual := rules(t, "-A -t 10.0.0.1:80", "-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m", "-A -t 10.0.0.2:80", "-A -f 3", "-A -t 10.0.0.9:25")
	owned := rules(t, "-A -t 10.0.0.2:80", "-A -f 3", "-A -t 10.0.0.1:80", "-A -t 10.0.0.7:80")
	var keys []ops.ServiceKey
	for _, s := range owned {
		keys = append(keys, s.ServiceKey)
	}
	// Owned services are deleted unless desired has them; absent ones and
	// services no one owns are left alone.
	got := strings.Join(formatAll(PlanWith(rules(t, "-A -t 10.0.0.1:80", "-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m"), actual, Options{Owned: keys})), "\n")
	if want := "-D -t 10.0.0.2:80\n-D -f 3"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestPlanDeterministic(t *testing.T) {
	desired := rules(t, "-A -t 10.0.0.1:80", "-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m")
	actual := rules(t, "-A -t 10.0.0.1:80",
		"-a -t 10.0.0.1:80 -r 10.0.1.9:80 -m", "-a -t 10.0.0.1:80 -r 10.0.1.3:80 -m", "-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m",
		"-A -t 10.0.0.5:80", "-A -t 10.0.0.3:80")
	first := strings.Join(formatAll(PlanWith(desired, actual, Options{Prune: true})), "\n")
	want := "-D -t 10.0.0.3:80\n-D -t 10.0.0.5:80\n-d -t 10.0.0.1:80 -r 10.0.1.3:80\n-d -t 10.0.0.1:80 -r 10.0.1.9:80"
	if first != want {
		t.Fatalf("got\n%s\nwant\n%s", first, want)
	}
}
