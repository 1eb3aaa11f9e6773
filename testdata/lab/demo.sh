#!/bin/sh
# The lab demo (make demo): lvsadm as a product, on the real kernel. Two
# directors run "lvsadm daemon" on one lvs.cf in front of two real servers;
# a client's traffic goes through the VIP; a real server fails and leaves
# the table; the active director dies and the other takes over.
#
# Every step checks what it shows and the script exits 1 at the first that
# does not hold (DEMO FAILED: ...), so the demo cannot rot silently: vm.sh
# returns that status, and cmd's TestDemo (vmtest, in make test) runs this
# script.
. /work/testdata/lab/topology.sh
. /work/testdata/lab/daemon.sh
LVSADM=${LVSADM:-/work/lvsadm}
CFG=/etc/sysconfig/ha/lvs.cf
VIP=192.168.100.10

heading() { printf '\n== %s\n' "$*"; }
fail() {
	printf '\nDEMO FAILED: %s\n' "$*"
	for d in d1 d2; do [ -f "/tmp/demo-$d.log" ] && { echo "--- $d daemon log"; tail -n 20 "/tmp/demo-$d.log"; }; done
	exit 1
}
# on HOST CMD...: show "HOST# CMD" and run it in that host's namespace,
# with lvsadm found as "lvsadm". Its output is kept in $out as well.
on() {
	h=$1
	shift
	printf '%s# %s\n' "$h" "$*"
	case $1 in
	lvsadm) shift; set -- "$LVSADM" "$@" ;;
	ip) shift; set -- "$IP" "$@" ;;
	esac
	out=$($IP netns exec "$h" "$@" 2>&1)
	rc=$?
	[ -n "$out" ] && printf '%s\n' "$out"
	return $rc
}
# within SECONDS WHAT CMD...: wait until CMD succeeds, or fail.
within() {
	s=$1 what=$2
	shift 2
	i=0
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -ge $((s * 5)) ] && fail "$what (waited ${s}s)"
		sleep 0.2
	done
}
sock() { echo "/run/lvsadm/$1.sock"; }
role() { $IP netns exec "$1" "$LVSADM" status --socket "$(sock "$1")" 2>/dev/null | grep -q "^role: *$2"; }
in_table() { $IP netns exec "$1" "$LVSADM" -Ln | grep -q "$2:80"; }
has_vip() { $IP -n "$1" -br addr show dev eth0 | grep -q "$VIP/"; }
# fetches N: N requests from the client, the answers on one line.
fetches() {
	answers=
	n=0
	while [ "$n" -lt "$1" ]; do
		answers="$answers $($IP netns exec client timeout 3 wget -qO- "http://$VIP/" 2>/dev/null || echo '--')"
		n=$((n + 1))
	done
	echo "${answers# }"
}

heading "The lab: four hosts as network namespaces on one kernel with IPVS"
cat <<'EOF'
   client 192.168.100.2                        rs1 10.10.0.2 (web server)
      |                                          |
   ---+---- 192.168.100.0/24 ----+----     ------+---- 10.10.0.0/24 ----+----
           |                     |               |                      |
   d1 192.168.100.11 / 10.10.0.11    d2 192.168.100.12 / 10.10.0.12   rs2 10.10.0.3
   The VIP 192.168.100.10 and the real servers' gateway 10.10.0.254 float:
   whichever director is active holds them.  "d1# CMD" runs CMD on d1.
EOF
lab_daemon_teardown >/dev/null 2>&1
lab_daemon_topology >/dev/null 2>&1 || fail "building the namespaces"
mkdir -p /etc/sysconfig/ha /run/lvsadm
cp /work/testdata/lab/pair.cf "$CFG"

heading "One lvs.cf for both directors (piranha's format)"
echo "# $CFG"
cat "$CFG"
on d1 lvsadm cf lint "$CFG" || fail "lvs.cf does not lint clean"
[ -z "$out" ] && echo "(no findings)"

heading "Start the daemon on both directors"
for d in d1 d2; do
	printf '%s# lvsadm daemon --config %s --socket %s &\n' "$d" "$CFG" "$(sock "$d")"
	$IP netns exec "$d" "$LVSADM" daemon --config "$CFG" --socket "$(sock "$d")" >"/tmp/demo-$d.log" 2>&1 &
	eval "pid_$d=$!"
done
act=
for i in $(seq 150); do
	for d in d1 d2; do role "$d" active && in_table "$d" 10.10.0.2 && in_table "$d" 10.10.0.3 && act=$d; done
	[ -n "$act" ] && break
	sleep 0.2
done
[ -n "$act" ] || fail "no director became active with both real servers in 30s"
sb=d2
[ "$act" = d2 ] && sb=d1
within 20 "$sb standby" role "$sb" standby
on "$act" lvsadm status --socket "$(sock "$act")"
on "$act" lvsadm -Ln

heading "Traffic from the client through the VIP (round robin)"
printf 'client# for i in 1 2 3 4; do wget -qO- http://%s/; done\n' "$VIP"
got=$(fetches 4)
echo "$got"
[ "$got" = "rs1 rs2 rs1 rs2" ] || [ "$got" = "rs2 rs1 rs2 rs1" ] || fail "client answers '$got', want rs1 and rs2 in turn"

heading "rs2's web server stops: the health check takes it out of the table"
echo "rs2# kill httpd"
lab_httpd_stop rs2
start=$(cut -d' ' -f1 /proc/uptime)
within 15 "rs2 leaving $act's table" sh -c "! $IP netns exec $act $LVSADM -Ln | grep -q 10.10.0.3:80"
end=$(cut -d' ' -f1 /proc/uptime)
echo "(out of the table $(awk "BEGIN{printf \"%.1f\", $end - $start}") s later: timeout = 1 in lvs.cf)"
on "$act" lvsadm -Ln
on "$act" lvsadm status --socket "$(sock "$act")"
echo "$out" | grep -qi "rs2.*down" || fail "lvsadm status does not show rs2 DOWN"
printf 'client# for i in 1 2 3; do wget -qO- http://%s/; done\n' "$VIP"
got=$(fetches 3)
echo "$got"
[ "$got" = "rs1 rs1 rs1" ] || fail "client answers '$got' with rs2 down, want rs1 only"

heading "$act dies (daemon killed, cables pulled): $sb takes the VIP over"
on "$act" ip -br addr show dev eth0
on "$sb" ip -br addr show dev eth0
# The client keeps asking, twice a second, while the director dies.
$IP netns exec client sh -c "while :; do timeout 2 wget -qO- http://$VIP/ 2>/dev/null || echo --; sleep 0.5; done" >/tmp/demo-client.log 2>&1 &
loop=$!
sleep 1
eval "pid=\$pid_$act"
printf '%s# kill -9 %s   (lvsadm daemon); ip link set eth0 down; ip link set eth1 down\n' "$act" "$pid"
kill -9 "$pid"
$IP -n "$act" link set eth0 down
$IP -n "$act" link set eth1 down
start=$(cut -d' ' -f1 /proc/uptime)
within 30 "$sb taking over" role "$sb" active
within 10 "the VIP on $sb" has_vip "$sb"
end=$(cut -d' ' -f1 /proc/uptime)
echo "($sb active $(awk "BEGIN{printf \"%.1f\", $end - $start}") s later: deadtime = 2 in lvs.cf)"
on "$sb" ip -br addr show dev eth0
within 20 "the client served through $sb" sh -c "$IP netns exec client timeout 2 wget -qO- http://$VIP/"
sleep 2
kill "$loop"
echo "client, one request every 0.5 s while $act died (-- = no answer):"
tr '\n' ' ' </tmp/demo-client.log | fold -w 78
echo
tail -n 3 /tmp/demo-client.log | grep -q rs1 || fail "the client is not served after the takeover"

heading "The new active director"
on "$sb" lvsadm status --socket "$(sock "$sb")"
echo "$out" | grep -q "^role: *active" || fail "lvsadm status on $sb does not say active"
on "$sb" lvsadm -Ln
in_table "$sb" 10.10.0.2 || fail "rs1 not in $sb's table"
on "$sb" lvsadm top -b -n 1 --director --socket "$(sock "$sb")"
echo "$out" | grep -q "ACTIVE" || fail "lvsadm top --director does not show ACTIVE"

heading "Demo done: every step checked"
eval "kill \$pid_$sb"
wait 2>/dev/null
lab_daemon_teardown >/dev/null 2>&1
true
