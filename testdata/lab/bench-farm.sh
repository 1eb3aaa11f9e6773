#!/bin/sh
# The daemon at scale (issue 10's targets), run by bench-daemon.sh inside
# the director's namespace "dir" (ip netns exec dir sh bench-farm.sh ...),
# the real servers in namespace "farm" (every address of 10.100.0.0/14 is
# local there, one sink accepting on port 8080). Under qemu -icount every
# time is guest instruction time (/proc/uptime, 10 ms resolution).
#
#   bench-farm.sh NAME VIPS PER WINDOW TMPDIR
#
# VIPS virtual servers (one floating address each, on dummy0, port 1000:
# port 80 would get nanny's HTTP check; wlc, NAT), PER real servers each,
# connect-only checks, timeout (= check interval) 6 s. One server (the "victim", the first of virtual VIPS/4)
# listens on port 8081 through a sink of its own, so that it alone can be
# stopped. Every figure is printed as one line NAME.KEY=VALUE.
#
#   floor      labprobe floor: the same connects per second as the checks,
#              without the daemon, for WINDOW s after one 6 s round: CPU %
#              of one core (utime+stime of /proc/PID/stat over guest time)
#   start      daemon start to every server in the kernel table (sampled
#              every 0.5 s from /proc/net/ip_vs, then confirmed with the
#              real ipvsadm -Ln); how many were in the table at each
#              second; how the "real server up" log lines of the first
#              round spread
#   steady     after one more round: CPU % over WINDOW s; VmHWM, VmRSS
#   status     lvsadm status -o json (and text): guest ms, bytes
#   reload0    SIGHUP with an unchanged file: the daemon's CPU to its
#              "configuration reloaded" line, the kernel edits it logged,
#              gratuitous ARPs (dummy0's tx_packets, which carries nothing
#              else: IPv6 is off there; and the daemon's own log line)
#   reload0parsed  the same with a comment added: read again and
#              planned (the first is known unchanged by its bytes; this
#              one re-reads the lines the comment moved: lvscf.Loader)
#   reload1    one server's weight 1 -> 2: SIGHUP to ipvsadm -Ln -t
#              showing it (polled every 20 ms), and to the daemon's
#              "table changed" line
#   reload1pct 1% of the servers' weights 1 -> 2: SIGHUP to all of them
#              in /proc/net/ip_vs (polled every 0.1 s, confirmed with
#              ipvsadm -Ln), and to the daemon's last "table changed" line
#   health     the victim's sink killed: to the victim gone from
#              ipvsadm -Ln -t (raw, bounded by the 6 s check interval),
#              and from the daemon's "real server down" log line (the
#              engine's part)
#   resync     one server deleted by hand (ipvsadm -d): back in the table
#              after (bounded by the daemon's periodic resync)
#   end        VmHWM (start and reloads included), VmRSS
#
# Each wait is bounded; a figure that timed out prints "timeout".
name=$1 vips=$2 per=$3 window=$4 tmp=$5
LVSADM=${LVSADM:-/work/lvsadm}
IPVSADM=${IPVSADM:-/sbin/ipvsadm}
PROBE=${PROBE:-/work/labprobe}
IP=/usr/sbin/ip
n=$((vips * per))
# The check interval (timeout): 6 s, or FARM_INTERVAL (the 100,000 farm uses
# 60 s, the same 1,667 connects a second as 10,000 every 6 s: the emulator's
# one CPU could not make 16,667 a second).
interval=${FARM_INTERVAL:-6}
# Bounds (guest seconds) of the long waits, larger for larger farms.
big=$((n / 10000))
[ "$big" -ge 1 ] || big=1
sock=/tmp/bench-$name.sock
hz=100

say() { echo "$name.$1=$2"; }
# tick: T = guest time in centiseconds, without a fork.
tick() {
	read -r _up _ </proc/uptime
	T=$((${_up%.*} * 100 + 1${_up#*.} - 100))
}
# poll LIMIT_S PERIOD CMD...: run CMD every PERIOD s until it succeeds;
# T is then the time its successful run ended. 1 on timeout.
poll() {
	_lim=$1 _per=$2
	shift 2
	tick
	_end=$((T + _lim * 100))
	while :; do
		if "$@" >/dev/null 2>&1; then
			tick
			return 0
		fi
		tick
		[ "$T" -lt "$_end" ] || return 1
		sleep "$_per"
	done
}
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
pct() { awk -v c="$1" -v t="$2" -v hz="$hz" 'BEGIN{printf "%.1f", c / hz / (t / 100) * 100}'; }
status_kb() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }
mb() { awk -v k="$1" 'BEGIN{printf "%.0f", k / 1024}'; }

# Server j (0 <= j < n) of virtual j/per; virtual v.
rs() { echo "10.$((100 + $1 / 64000)).$(($1 / 250 % 256)).$(($1 % 250 + 1))"; }
vip() { echo "10.30.$(($1 / 250)).$(($1 % 250 + 1))"; }
victim=$((vips / 4 * per))                # stops listening (health)
one=$((n / 2 + 2))                        # its weight changes (reload1)
hand=$((vips * 3 / 4 * per + 1))          # deleted by hand (resync)
# gen MODE: the lvs.cf; MODE base (every weight 1), one (server $one at
# weight 2), pct (and 1% more: every j with j % 100 == 37).
gen() {
	awk -v vips="$vips" -v per="$per" -v mode="$1" -v one="$one" -v victim="$victim" -v interval="$interval" 'BEGIN{
		print "serial_no = 1\nprimary = 10.21.0.1\nbackup = 10.21.0.9\nbackup_active = 0\nheartbeat = 1\nheartbeat_port = 539"
		print "keepalive = 1\ndeadtime = 2\nnetwork = nat\nnat_router = 10.21.0.254 eth1:1"
		for (v = 0; v < vips; v++) {
			printf "virtual v%d {\n     active = 1\n     address = 10.30.%d.%d dummy0:%d\n     port = 1000\n", v, int(v / 250), v % 250 + 1, v + 1
			printf "     scheduler = wlc\n     timeout = %d\n     reentry = %d\n", interval, interval
			for (s = 0; s < per; s++) {
				j = v * per + s
				printf "     server s%d {\n         address = 10.%d.%d.%d\n         port = %d\n         active = 1\n", s, 100 + int(j / 64000), int(j / 250) % 256, j % 250 + 1, j == victim ? 8081 : 8080
				if ((mode != "base" && j == one) || (mode == "pct" && j % 100 == 37))
					printf "         weight = 2\n"
				printf "     }\n"
			}
			printf "}\n"
		}}'
}

ulimit -n $((n * 2 + 65536))
echo 1 >/proc/sys/net/ipv4/ip_forward
echo 1 >/proc/sys/net/ipv6/conf/dummy0/disable_ipv6 2>/dev/null
$IP netns exec farm "$PROBE" sink 8080 &
sinkpid=$!
$IP netns exec farm "$PROBE" sink 8081 &
victimpid=$!
awk -v n="$n" -v victim="$victim" 'BEGIN{for (j = 0; j < n; j++) printf "10.%d.%d.%d:%d\n", 100 + int(j / 64000), int(j / 250) % 256, j % 250 + 1, j == victim ? 8081 : 8080}' >"$tmp/targets"
gen base >"$tmp/lvs.cf"
echo "$name: $vips virtual servers x $per real servers = $n, connect checks every ${interval} s, window ${window} s"

# --- floor --------------------------------------------------------------
"$PROBE" floor "$tmp/targets" "$interval" 2>"$tmp/floor.log" &
fpid=$!
sleep "$interval"
c0=$(cpu "$fpid")
tick
w0=$T
sleep "$window"
c1=$(cpu "$fpid")
tick
w1=$T
say floor_cpu_pct "$(pct $((c1 - c0)) $((w1 - w0)))"
say floor_vmhwm_mb "$(mb "$(status_kb "$fpid" VmHWM)")"
kill -TERM "$fpid"
wait "$fpid"
say floor_client "\"$(cat "$tmp/floor.log")\""
# Let the floor's TIME_WAIT sockets go before the daemon starts.
sleep 60

# --- start ------------------------------------------------------------
count_rs() { grep -c '^  -> [0-9A-F]' /proc/net/ip_vs; }
tick
t0=$T
"$LVSADM" daemon --config "$tmp/lvs.cf" --socket "$sock" 2>"$tmp/daemon.log" &
dpid=$!
: >"$tmp/curve"
full=
lim=$((t0 + ${BENCH_FARM_START_LIMIT:-600} * big * 100))
while kill -0 "$dpid" 2>/dev/null; do
	c=$(count_rs)
	tick
	echo "$(((T - t0) * 10)) $c" >>"$tmp/curve"
	if [ "$c" -ge "$n" ]; then full=$T; break; fi
	[ "$T" -lt "$lim" ] || break
	sleep 0.5
done
if [ -z "$full" ]; then
	say start_full_ms "timeout or daemon gone (last sample: $(tail -n1 "$tmp/curve"))"
	grep -v 'floating address up' "$tmp/daemon.log" | tail -n 20 | cut -c1-300
	head -n 30 /proc/net/ip_vs
	kill -9 "$dpid" "$sinkpid" "$victimpid" 2>/dev/null
	exit 1
fi
say start_full_ms $(((full - t0) * 10))
say start_hwm_mb "$(mb "$(status_kb "$dpid" VmHWM)")"
if [ "$("$IPVSADM" -Ln | grep -c Masq)" -ge "$n" ]; then
	tick
	say start_full_ipvsadm_confirmed_ms $(((T - t0) * 10))
fi
# The kernel table every 0.5 s after the start (guest seconds:servers; a
# sample reads /proc/net/ip_vs, what one costs at the full size is
# printed below).
say start_curve "\"$(awk '{printf "%s%.1fs:%d", (NR > 1 ? " " : ""), $1 / 1000, $2}' "$tmp/curve")\""
tick
a=$T
count_rs >/dev/null
tick
say sample_cost_ms $(((T - a) * 10))
# The first round: "real server up" log lines per second after the start.
"$PROBE" logtime 'real server up' <"$tmp/daemon.log" >"$tmp/up"
say first_round_up_per_s "\"$(awk -v t0="$t0" '{s = int($1 - t0 / 100); c[s]++; if (s > m) m = s} END{for (i = 0; i <= m; i++) printf "%s%ds:%d", (i ? " " : ""), i + 1, c[i] + 0}' "$tmp/up")\""
say first_round_span_ms "$(awk 'NR == 1 {f = $1} {l = $1} END{printf "%d", (l - f) * 1000}' "$tmp/up")"

# --- steady -------------------------------------------------------------
sleep $((interval + 1))
c0=$(cpu "$dpid")
tick
w0=$T
sleep "$window"
c1=$(cpu "$dpid")
tick
w1=$T
steady=$(pct $((c1 - c0)) $((w1 - w0)))
say steady_cpu_pct "$steady"
say steady_vmhwm_mb "$(mb "$(status_kb "$dpid" VmHWM)")"
say steady_vmrss_mb "$(mb "$(status_kb "$dpid" VmRSS)")"

# --- status -------------------------------------------------------------
for i in 1 2; do
	tick
	a=$T
	timeout 60 "$LVSADM" status --socket "$sock" -o json >"$tmp/status.json"
	tick
	say "status_json_ms_run$i" $(((T - a) * 10))
done
say status_json_bytes "$(wc -c <"$tmp/status.json")"
tick
a=$T
timeout 60 "$LVSADM" status --socket "$sock" >"$tmp/status.txt"
tick
say status_text_ms $(((T - a) * 10))
say status_text_bytes "$(wc -c <"$tmp/status.txt")"

# --- reloads ------------------------------------------------------------
logsize() { wc -c <"$tmp/daemon.log"; }
since() { tail -c +$(($1 + 1)) "$tmp/daemon.log"; }
reloaded() { since "$mark" | grep -q 'msg="configuration reloaded"'; }
tx() { cat /sys/class/net/dummy0/statistics/tx_packets; }
# hup LABEL: SIGHUP; when the daemon logs "configuration reloaded", its
# guest time and CPU since the signal.
hup() {
	mark=$(logsize)
	c0=$(cpu "$dpid")
	tick
	h0=$T
	kill -HUP "$dpid"
}
hup_done() {
	if poll $((120 * big)) 0.02 reloaded; then
		c1=$(cpu "$dpid")
		say "$1_logged_ms" $(((T - h0) * 10))
		say "$1_cpu_ms" $(((c1 - c0) * 1000 / hz))
		say "$1_cpu_ms_less_steady" "$(awk -v c=$(((c1 - c0) * 1000 / hz)) -v s="$steady" -v t=$(((T - h0) * 10)) 'BEGIN{printf "%d", c - s / 100 * t}')"
	else
		say "$1_logged_ms" timeout
	fi
}
edits() { since "$mark" | grep 'msg="table changed"' | sed -n 's/.* edits=\([0-9]*\).*/\1/p' | awk '{s += $1} END{print s + 0}'; }

# No change: the same file again.
x0=$(tx)
hup
hup_done reload0
# The announcements run 5 times, 1 s apart, after the reload.
sleep 8
say reload0_kernel_edits "$(edits)"
say reload0_garp_dummy0_tx "$(($(tx) - x0))"
say reload0_garp_log_addresses "\"$(since "$mark" | sed -n 's/.*gratuitous lvs arps finished.*addresses=\([0-9]*\).*/\1/p' | tr '\n' ' ')\""

# No change in meaning, other bytes (a comment added): the reload cannot
# know it changes nothing before it has read the bytes that moved, linted
# the whole and planned it.
echo "# touched by the benchmark" >>"$tmp/lvs.cf"
hup
hup_done reload0parsed
say reload0parsed_kernel_edits "$(edits)"

# Slow start: a server's weight reaches 2 only after 20 s up (nanny's
# step); every server came up at the start, long before this.
gen one >"$tmp/lvs.cf"
v1=$((one / per))
want1() { "$IPVSADM" -Ln -t "$(vip "$v1"):1000" | grep -Eq " $(rs "$one"):8080 +Masq +2 "; }
hup
if poll $((120 * big)) 0.02 want1; then
	say reload1_visible_ms $(((T - h0) * 10))
	# The daemon logs "table changed" once its edit is made: the moment
	# the kernel has it, without the poll (an ipvsadm every 20 ms, which
	# takes its share of the one guest CPU from the daemon meanwhile).
	tc=$(since "$mark" | "$PROBE" logtime 'msg="table changed"' | awk 'END{print $1}')
	[ -z "$tc" ] || say reload1_table_changed_logged_ms "$(awk -v d="$tc" -v h="$h0" 'BEGIN{printf "%d", (d - h / 100) * 1000}')"
else
	say reload1_visible_ms timeout
fi
hup_done reload1
say reload1_kernel_edits "$(edits)"

gen pct >"$tmp/lvs.cf"
npct=$(awk -v n="$n" -v one="$one" 'BEGIN{for (j = 0; j < n; j++) if (j % 100 == 37 || j == one) c++; print c}')
weight2() { [ "$(awk '$1 == "->" && $4 == 2' /proc/net/ip_vs | wc -l)" -ge "$npct" ]; }
hup
# Polled every 0.1 s: one poll reads the whole table (sample_cost_ms).
if poll $((120 * big)) 0.1 weight2; then
	say reload1pct_visible_ms $(((T - h0) * 10))
	# The daemon logs "table changed" once its edits are made: the same
	# moment without the poll's granularity.
	tc=$(since "$mark" | "$PROBE" logtime 'msg="table changed"' | awk 'END{print $1}')
	[ -z "$tc" ] || say reload1pct_table_changed_logged_ms "$(awk -v d="$tc" -v h="$h0" 'BEGIN{printf "%d", (d - h / 100) * 1000}')"
	say reload1pct_confirmed_by_ipvsadm "$("$IPVSADM" -Ln | grep -Ec ' Masq +2 ')/$npct"
else
	say reload1pct_visible_ms timeout
fi
hup_done reload1pct
say reload1pct_kernel_edits "$(edits)"

# --- health -------------------------------------------------------------
vv=$((victim / per))
vaddr=$(rs "$victim")
gone() { ! "$IPVSADM" -Ln -t "$(vip "$vv"):1000" | grep -q " $vaddr:8081 "; }
"$IPVSADM" -Ln -t "$(vip "$vv"):1000" | grep -q " $vaddr:8081 " || echo "$name: the victim $vaddr:8081 is not in the table before the test"
mark=$(logsize)
tick
k0=$T
kill "$victimpid"
if poll 60 0.02 gone; then
	say health_kill_to_kernel_ms $(((T - k0) * 10))
	down=$(since "$mark" | "$PROBE" logtime 'real server down' | awk 'NR == 1 {print $1}')
	if [ -n "$down" ]; then
		say health_kill_to_log_ms "$(awk -v d="$down" -v k="$k0" 'BEGIN{printf "%d", (d - k / 100) * 1000}')"
		say health_log_to_kernel_ms "$(awk -v d="$down" -v t="$T" 'BEGIN{printf "%d", (t / 100 - d) * 1000}')"
	fi
else
	say health_kill_to_kernel_ms timeout
fi

# --- resync -------------------------------------------------------------
hv=$((hand / per))
back() { "$IPVSADM" -Ln -t "$(vip "$hv"):1000" | grep -q " $(rs "$hand"):8080 "; }
mark=$(logsize)
tick
r0=$T
"$IPVSADM" -d -t "$(vip "$hv"):1000" -r "$(rs "$hand"):8080"
if poll 60 0.02 back; then say resync_hand_delete_repaired_ms $(((T - r0) * 10)); else say resync_hand_delete_repaired_ms timeout; fi
say resync_kernel_edits "$(edits)"

# --- end ----------------------------------------------------------------
say end_vmhwm_mb "$(mb "$(status_kb "$dpid" VmHWM)")"
say end_vmrss_mb "$(mb "$(status_kb "$dpid" VmRSS)")"
# Measured: no need to wait for the services to be deleted one by one.
kill -9 "$dpid" "$sinkpid" 2>/dev/null
wait "$dpid" 2>/dev/null
true
