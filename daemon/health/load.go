package health

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Slow start and load monitoring, as nanny does them (nanny.c run,
// adjustWeight and getRemoteLoad, piranha 0.8.x; read in
// ssocopsacc/piranha PiranhaLastVerBackupSourceFiles/nanny.c and lvsd.c):
//
//   - A server that comes up enters at weight >> 5 (at least 1) and its
//     weight doubles every 20 seconds (every check when the check interval
//     is longer) up to its configured weight.
//   - From then on, with load_monitor set, nanny asks for the server's load
//     average on the same 20-second cadence and moves the weight: below a
//     load of 1.0 up by weight/2 * cbrt(1 - load), at most 10 x weight
//     (nanny's --scale default; lvs never passes another); above 1.0 down by
//     weight/2 * cbrt(load - 1), never below the configured weight. A change
//     smaller than weight/4 is not applied. A load of exactly 1.0, or none
//     read, leaves the weight as it is.

// slowStartStep is nanny's 20 seconds.
const slowStartStep = 20 * time.Second

// loadScale is nanny's --scale default: the load-adjusted weight is at
// most loadScale times the configured one.
const loadScale = 10

// adjustPeriod is how often nanny adjusts a weight: every 20 s, or every
// check when checks are further apart.
func adjustPeriod(interval, step time.Duration) time.Duration {
	return max(interval, step)
}

// SlowStart is nanny's weight for a server with the given configured
// weight and check interval that has been up for `up`.
func SlowStart(weight int, interval, up time.Duration) int {
	return slowStart(weight, interval, up, slowStartStep)
}

func slowStart(weight int, interval, up, step time.Duration) int {
	full := max(weight, 1)
	w := max(weight>>5, 1)
	for steps := up / adjustPeriod(interval, step); steps > 0 && w < full; steps-- {
		w <<= 1
	}
	return min(w, full)
}

// LoadArgv is the command nanny runs for a server's load average:
// "rup HOST" or "ruptime HOST"; for "uptime", lvs passes rsh_command
// instead, and nanny runs "rsh HOST uptime" or "ssh HOST uptime". nil for
// none.
func LoadArgv(monitor, rshCommand string, host netip.Addr) []string {
	switch monitor {
	case "", "none":
		return nil
	case "uptime":
		monitor = rshCommand
		if monitor == "" {
			monitor = "rsh"
		}
	}
	argv := []string{monitor, host.String()}
	if monitor == "ssh" || monitor == "rsh" {
		argv = append(argv, "uptime")
	}
	return argv
}

// ParseLoad reads the one-minute load average from rup's, uptime's (or
// ruptime's) output the way nanny does: after the first "load", the text
// two bytes past the next ':' up to a ',' or a space, which must be
// digits and dots ("load average: 0.12, 0.08, 0.01" gives 0.12). ruptime's
// "load 0.12, ..." has no colon and nanny rejects it as lvsadm does.
func ParseLoad(out string) (float64, error) {
	i := strings.Index(out, "load")
	if i < 0 {
		return 0, fmt.Errorf("no load average in %q", clipText(out))
	}
	rest := out[i:]
	j := strings.IndexByte(rest, ':')
	if j < 0 || j+2 > len(rest) {
		return 0, fmt.Errorf("no load average in %q", clipText(out))
	}
	rest = rest[j+2:]
	k := 0
	for k < len(rest) && (rest[k] >= '0' && rest[k] <= '9' || rest[k] == '.') {
		k++
	}
	if k == 0 || k == len(rest) || (rest[k] != ',' && rest[k] != ' ') {
		return 0, fmt.Errorf("bad load average in %q", clipText(out))
	}
	v, err := strconv.ParseFloat(rest[:k], 64)
	if err != nil {
		return 0, fmt.Errorf("bad load average in %q", clipText(out))
	}
	return v, nil
}

// AdjustWeight is nanny's adjustWeight after the slow start: the new
// weight for a server of configured weight `weight`, now at `last`, whose
// one-minute load average is load, and whether to apply it.
func AdjustWeight(weight, last int, load float64) (int, bool) {
	if load < 0 || load == 1.0 {
		return last, false
	}
	step := float64(weight) / 2
	var w int
	if load < 1.0 {
		// C converts the double sum to int: truncation toward zero.
		w = int(float64(last) + step*math.Cbrt(1-load))
		w = min(w, loadScale*weight)
	} else {
		w = int(float64(last) - step*math.Cbrt(load-1))
		w = max(w, weight)
	}
	if math.Abs(float64(w-last)) < float64(weight)/4 {
		return last, false
	}
	return w, true
}

// remoteLoad runs argv, bounded by timeout, and parses its load average.
// A command that fails, times out or prints no load average is an error;
// nanny then leaves the weight alone, and so does the caller.
func remoteLoad(ctx context.Context, argv []string, timeout time.Duration) (float64, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out, err := runBounded(ctx, argv)
	if ctx.Err() != nil {
		return 0, errors.New(argv[0] + " timed out")
	}
	if err != nil {
		return 0, fmt.Errorf("%s: %s", argv[0], errText(err))
	}
	return ParseLoad(out)
}

// clipText cuts s for an error message.
func clipText(s string) string {
	if len(s) > maxShownAnswer {
		return s[:maxShownAnswer] + "..."
	}
	return s
}
