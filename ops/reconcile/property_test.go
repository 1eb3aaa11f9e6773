package reconcile

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/ipvsadm"
)

// randomRules draws a table from small pools of services and real
// servers, so that desired and actual overlap often.
func randomRules(r *rand.Rand) []string {
	var lines []string
	scheds := []string{"rr", "wlc", "sh"}
	fwds := []string{"-m", "-g", "-i"}
	for s := range 4 {
		if r.IntN(2) == 0 {
			continue
		}
		svc := fmt.Sprintf("-t 10.0.0.%d:80", s+1)
		if s == 3 {
			svc = "-f 7"
		}
		rule := "-A " + svc + " -s " + scheds[r.IntN(len(scheds))]
		if r.IntN(3) == 0 {
			rule += fmt.Sprintf(" -p %d", 60*(1+r.IntN(3)))
		}
		lines = append(lines, rule)
		for d := range 5 {
			if r.IntN(2) == 0 {
				continue
			}
			lines = append(lines, fmt.Sprintf("-a %s -r 10.0.1.%d:%d %s -w %d", svc, d+1, 80+r.IntN(2), fwds[r.IntN(len(fwds))], r.IntN(4)))
		}
	}
	return lines
}

// TestPlanConverges: for random pairs of tables, applying the plan makes a
// second plan empty, and, without Prune, services desired does not name
// keep their real servers.
func TestPlanConverges(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	ctx := context.Background()
	for i := range 3000 {
		desiredLines, actualLines := randomRules(r), randomRules(r)
		desired, actual := rules(t, desiredLines...), rules(t, actualLines...)
		prune := r.IntN(2) == 0
		k := loaded(actual)
		plan := PlanWith(desired, actual, Options{Prune: prune})
		if err := Apply(ctx, k, plan); err != nil {
			t.Fatalf("case %d: %v\ndesired %q\nactual %q\nplan %q", i, err, desiredLines, actualLines, formatAll(plan))
		}
		after, err := ops.Read(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		if again := PlanWith(desired, after, Options{Prune: prune}); len(again) != 0 {
			t.Fatalf("case %d: not converged: %q", i, formatAll(again))
		}
		want := map[ops.ServiceID]bool{}
		for _, s := range desired {
			want[s.ServiceKey.ID()] = true
		}
		for _, s := range actual {
			id := s.ServiceKey.ID()
			if want[id] {
				continue
			}
			now, found := find(k, s.ServiceKey)
			switch {
			case prune && found:
				t.Fatalf("case %d: --prune left %s", i, ipvsadm.FormatChange(Change{Action: DelService, Service: s.Service}))
			case !prune && (!found || len(now.Destinations) != len(s.Destinations)):
				t.Fatalf("case %d: a service desired does not name was changed", i)
			}
		}
		// Nothing is deleted and added back: that is what edits are for.
		type changed struct {
			svc  ops.ServiceID
			dest ops.DestID
		}
		deleted := map[changed]bool{}
		for _, c := range plan {
			id := changed{svc: c.Service.ID()}
			if c.Action == DelDestination || c.Action == AddDestination {
				id.dest = c.Destination.ID()
			}
			switch c.Action {
			case DelDestination, DelService:
				deleted[id] = true
			case AddDestination, AddService:
				if deleted[id] {
					t.Fatalf("case %d: %q is deleted and added back", i, ipvsadm.FormatChange(c))
				}
			}
			if strings.HasPrefix(ipvsadm.FormatChange(c), "# ") {
				t.Fatalf("case %d: unprintable change %+v", i, c)
			}
		}
	}
}
