#!/bin/sh
# make bench, inside the VM: the daemon's figures. Under qemu -icount the
# guest clock counts instructions: every time below is guest instruction
# time (from /proc/uptime, 10 ms resolution), not wall time.
#
#   failover  kill -9 of the active director's daemon, its links cut at the
#             same moment (a director that died: with its links up its
#             kernel would go on forwarding with the VIP and table the dead
#             daemon left, and the client would notice nothing), to the
#             first request the client gets answered through the VIP;
#             keepalive 0.2, deadtime 1; BENCH_FAILOVER_RUNS runs (10)
#   farm      issue 10's layout: BENCH_DAEMON_SERVERS real servers
#             (10000), BENCH_DAEMON_PER_VIP (5) per virtual server, one VIP
#             each, connect-only checks every 6 s: the floor (a bare client
#             making the same connects), start to full table, steady CPU
#             over BENCH_DAEMON_WINDOW s (30) and memory, lvsadm status,
#             reloads (no change, one weight, 1% of the weights), a health
#             transition and a hand edit's repair; see bench-farm.sh
#   big       with BENCH_DAEMON_BIG=1, the same at 100,000 (10,000 VIPs x
#             10, checked every 60 s: the same 1,667 connects a second)
#             afterwards (bench.sh gives the VM more memory for it)
#
# BENCH_FAILOVER_RUNS=0 skips the failover part.
set -e
LVSADM=${LVSADM:-/work/lvsadm}
IPVSADM=${IPVSADM:-/sbin/ipvsadm}
PROBE=${PROBE:-/work/labprobe}
RUNS=${BENCH_FAILOVER_RUNS:-10}
SERVERS=${BENCH_DAEMON_SERVERS:-10000}
PER=${BENCH_DAEMON_PER_VIP:-5}
BIG=${BENCH_DAEMON_BIG:-0}
WINDOW=${BENCH_DAEMON_WINDOW:-30}
here=$(cd "$(dirname "$0")" && pwd)
# 10,000 checks start at once: more sockets than the default 1024 (or the
# 4096 hard limit Go raises itself to).
ulimit -n 65536
. "$here/topology.sh"
. "$here/daemon.sh"
tmp=$(mktemp -d)

now() { read -r up _ </proc/uptime; echo "$up"; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%d\n", (b-a)*1000+0.5}'; }
# until SECONDS CMD...: run CMD every 50 ms until it succeeds.
until_ok() {
	limit=$1; shift
	end=$(awk -v t="$(now)" -v l="$limit" 'BEGIN{print t+l}')
	while ! "$@" >/dev/null 2>&1; do
		if awk -v t="$(now)" -v e="$end" 'BEGIN{exit !(t>e)}'; then
			echo "bench-daemon: timed out after ${limit}s: $*" >&2
			return 1
		fi
		sleep 0.05
	done
}
role_is() { "$LVSADM" status --socket "/tmp/bench-$1.sock" 2>/dev/null | grep -q "^role:    $2"; }
peer_running() { "$LVSADM" status --socket "/tmp/bench-$1.sock" 2>/dev/null | grep -q '^peer: .* running'; }
start_daemon() {
	$IP netns exec "$1" "$LVSADM" daemon --config "$tmp/lvs.cf" --socket "/tmp/bench-$1.sock" 2>>"$tmp/$1.log" &
	echo $! >"$tmp/$1.pid"
}

# --- failover ---------------------------------------------------------
if [ "$RUNS" -gt 0 ]; then
lab_daemon_teardown
lab_daemon_topology
# The VM tests' pair (pair.cf) with the timers of this measurement.
sed -e 's/^keepalive = .*/keepalive = 0.2/' -e 's/^deadtime = .*/deadtime = 1/' "$here/pair.cf" >"$tmp/lvs.cf"
grep -q '^keepalive = 0.2$' "$tmp/lvs.cf" && grep -q '^deadtime = 1$' "$tmp/lvs.cf"
start_daemon d1
start_daemon d2
settled() { # $1 active, $2 standby hearing it, the client served
	role_is "$1" active && role_is "$2" standby && peer_running "$2" &&
		$IP netns exec client "$PROBE" wait http://192.168.100.10/
}
i=1
: >"$tmp/failover"
while [ "$i" -le "$RUNS" ]; do
	act=
	until_ok 60 sh -c "$LVSADM status --socket /tmp/bench-d1.sock | grep -q '^role:    active' || $LVSADM status --socket /tmp/bench-d2.sock | grep -q '^role:    active'"
	if role_is d1 active; then act=d1 sb=d2; else act=d2 sb=d1; fi
	until_ok 60 settled "$act" "$sb"
	t0=$(now)
	kill -9 "$(cat "$tmp/$act.pid")"
	$IP link set "p-$act-eth0" down
	$IP link set "p-$act-eth1" down
	$IP netns exec client "$PROBE" wait http://192.168.100.10/
	t1=$(now)
	ms "$t0" "$t1" >>"$tmp/failover"
	echo "failover run $i: $act killed, served through $sb after $(ms "$t0" "$t1") ms"
	# The dead director comes back (links first, then its daemon, which
	# removes the VIP it left behind and joins as standby).
	$IP link set "p-$act-eth0" up
	$IP link set "p-$act-eth1" up
	start_daemon "$act"
	until_ok 60 settled "$sb" "$act"
	i=$((i + 1))
done
sort -n "$tmp/failover" | awk '{v[NR]=$1; all = all (NR>1?" ":"") $1}
	END{printf "failover (kill -9 + links cut -> first answer), %d runs, ms: min %d median %d max %d; all: %s\n",
		NR, v[1], (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2), v[NR], all}'
kill -9 "$(cat "$tmp/d1.pid")" "$(cat "$tmp/d2.pid")" 2>/dev/null || true
lab_daemon_teardown
fi

# --- farm ---------------------------------------------------------------
# dir: a lone director (backup_active = 0), VIPs on dummy0, the real
# servers' segment on eth1; farm: every address of 10.100.0.0/14 local (a
# route, not 100,000 addresses), sinks accepting on ports 8080 and 8081.
farm_topology() {
	lab_ns dir
	lab_ns farm
	lab_link dir eth1 10.21.0.1/24 farm farm0 10.21.0.2/24
	$IP -n dir link add dummy0 type dummy
	$IP -n dir link set dummy0 up
	$IP -n dir addr add 10.31.0.1/24 dev dummy0
	$IP -n dir route add 10.100.0.0/14 via 10.21.0.2
	$IP -n farm route add local 10.100.0.0/14 dev lo
	$IP -n farm route add default via 10.21.0.1
}
# farm NAME VIPS PER [INTERVAL]: the check interval, 6 s by default
farm() {
	lab_teardown
	farm_topology
	mkdir -p "$tmp/$1"
	t0=$(now)
	$IP netns exec dir env FARM_INTERVAL="${4:-6}" sh "$here/bench-farm.sh" "$1" "$2" "$3" "$WINDOW" "$tmp/$1" || echo "$1: bench-farm.sh failed ($?)"
	echo "$1: the run took $(ms "$t0" "$(now)") ms of guest time"
	lab_teardown
}
farm "daemon$((SERVERS / 1000))k" $((SERVERS / PER)) "$PER"
# 100,000 servers checked every 60 s: the same 1,667 connects a second.
[ "$BIG" = 1 ] && farm daemon100k 10000 10 60
true
