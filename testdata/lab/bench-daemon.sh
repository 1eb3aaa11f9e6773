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
#   farm      BENCH_DAEMON_SERVERS real servers (10000), one per virtual
#             service (100 VIPs x ports), connect-only checks every 6 s
#             against addresses on one namespace's dummy device: the
#             daemon's CPU share over BENCH_DAEMON_WINDOW s (30) from
#             /proc/PID/stat utime+stime, and its VmHWM / VmRSS
#   reload    in that configuration, one real server's address changed:
#             time from SIGHUP to the kernel table listing the new server
#             and not the old one (polled with ipvsadm -Ln -t)
set -e
LVSADM=${LVSADM:-/work/lvsadm}
IPVSADM=${IPVSADM:-/sbin/ipvsadm}
PROBE=${PROBE:-/work/labprobe}
RUNS=${BENCH_FAILOVER_RUNS:-10}
SERVERS=${BENCH_DAEMON_SERVERS:-10000}
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

# --- farm and reload --------------------------------------------------
# dir: a lone director (backup_active = 0), VIPs on dummy0, the real
# servers' segment on eth1; farm: every real server address on its own
# dummy0, one sink process accepting on port 8080.
lab_ns dir
lab_ns farm
lab_link dir eth1 10.21.0.1/24 farm farm0 10.21.0.2/24
$IP -n dir link add dummy0 type dummy
$IP -n dir link set dummy0 up
$IP -n dir addr add 10.31.0.1/24 dev dummy0
$IP -n dir route add 10.20.0.0/16 via 10.21.0.2
$IP -n farm link add dummy0 type dummy
$IP -n farm link set dummy0 up
$IP -n farm route add default via 10.21.0.1
# One spare address for the reload's changed server.
awk -v n="$SERVERS" 'BEGIN{for (i = 0; i <= n; i++) printf "addr add 10.20.%d.%d/32 dev dummy0\n", int(i / 250), i % 250 + 1}' >"$tmp/addrs"
$IP -n farm -batch "$tmp/addrs"
$IP netns exec farm "$PROBE" sink 8080 &
sinkpid=$!
gen() { # $1: index of the server whose address moves to the spare one
	awk -v n="$SERVERS" -v moved="$1" 'BEGIN{
		print "serial_no = 1\nprimary = 10.21.0.1\nbackup = 10.21.0.9\nbackup_active = 0\nheartbeat = 1\nheartbeat_port = 539"
		print "keepalive = 1\ndeadtime = 2\nnetwork = nat\nnat_router = 10.21.0.254 eth1:1"
		for (i = 0; i < n; i++) {
			a = i == moved ? n : i
			printf "virtual v%d {\n     active = 1\n     address = 10.30.0.%d dummy0:%d\n     port = %d\n", i, i % 100 + 1, i % 100 + 1, 1000 + int(i / 100)
			printf "     scheduler = wlc\n     timeout = 6\n     reentry = 6\n"
			printf "     server s {\n         address = 10.20.%d.%d\n         port = 8080\n         active = 1\n     }\n}\n", int(a / 250), a % 250 + 1
		}}'
}
gen -1 >"$tmp/lvs.cf"
t0=$(now)
$IP netns exec dir "$LVSADM" daemon --config "$tmp/lvs.cf" --socket /tmp/bench-dir.sock 2>"$tmp/dir.log" &
dpid=$!
full() { [ "$($IP netns exec dir "$IPVSADM" -Ln | grep -c Masq)" -ge "$SERVERS" ]; }
until_ok 600 full
t1=$(now)
echo "farm: $SERVERS real servers up and in the table $(ms "$t0" "$t1") ms after the daemon started"
sleep 7 # one full round of checks after the start-up burst
cpu() { awk '{print $14 + $15}' "/proc/$dpid/stat"; }
c0=$(cpu)
w0=$(now)
sleep "$WINDOW"
c1=$(cpu)
w1=$(now)
hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
awk -v c0="$c0" -v c1="$c1" -v w0="$w0" -v w1="$w1" -v hz="$hz" -v n="$SERVERS" \
	'BEGIN{printf "farm: %d real servers checked every 6 s: daemon CPU %.1f%% of one CPU over %.1f s\n", n, (c1-c0)/hz/(w1-w0)*100, w1-w0}'
awk -v n="$SERVERS" '/^VmHWM|^VmRSS/{printf "farm: %s %s %s\n", $1, $2, $3}' "/proc/$dpid/status"

moved=$((SERVERS / 2))
port=$((1000 + moved / 100))
vip=10.30.0.$((moved % 100 + 1))
old=10.20.$((moved / 250)).$((moved % 250 + 1)):8080
new=10.20.$((SERVERS / 250)).$((SERVERS % 250 + 1)):8080
gen "$moved" >"$tmp/lvs.cf"
right() {
	out=$($IP netns exec dir "$IPVSADM" -Ln -t "$vip:$port")
	echo "$out" | grep -q " $new " && ! echo "$out" | grep -q " $old "
}
t0=$(now)
kill -HUP "$dpid"
until_ok 120 right
t1=$(now)
echo "reload: one of $SERVERS services' real server moved ($old -> $new): kernel table right $(ms "$t0" "$t1") ms after SIGHUP"
# Measured: no need to wait for 10,000 services to be deleted one by one.
kill -9 "$dpid" "$sinkpid" 2>/dev/null || true
wait "$dpid" 2>/dev/null || true
lab_teardown
