#!/bin/sh
# Runs inside the lab VM, in a fresh network namespace (make bench): the
# TUI's cost against real IPVS connection entries made by
# testdata/lab/udpflood: per refresh through "lvsadm top -b" (the TUI's
# model and view without a terminal), idle on the real "lvsadm tui" on a
# pseudo-terminal (testdata/lab/ptyrun). Under qemu -icount the figures are guest
# instruction time and repeat exactly.
#
#   bench-tui.sh refresh|idle LVSADM CONNS
# prints "name value unit" lines:
#   refresh: tui-refresh  CPU ms per refresh of the connections view over CONNS entries
#            tui-rss      peak resident memory over those refreshes
#   idle:    tui-idle-conns  CPU share of one core, connections view, 1 s interval
#            tui-idle-svc    the same in the services view
set -e
MODE=$1
LVSADM=$2
CONNS=$3
IP=/usr/sbin/ip
$IP link set lo up
$IP link add d0 type dummy
$IP link set d0 up
$IP addr add 10.255.255.254/8 dev d0
$IP addr add 10.0.0.1/32 dev d0
$IP route add default dev d0
/sbin/ipvsadm -A -u 10.0.0.1:53 -s rr
/sbin/ipvsadm -a -u 10.0.0.1:53 -r 10.0.1.1:53 -m
/sbin/ipvsadm -a -u 10.0.0.1:53 -r 10.0.1.2:53 -m
/work/udpflood -n "$CONNS" -vip 10.0.0.1 -port 53 -src 10.100.0.0
# The kernel may still be taking the last datagrams in: wait for them.
i=0
while n=$(grep -c '^UDP' /proc/net/ip_vs_conn); [ "$n" -lt "$CONNS" ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
[ "$n" -ge "$CONNS" ] || { echo "bench-tui: only $n connections, want $CONNS" >&2; exit 1; }

# field LINE KEY: the value of KEY=value in ptyrun's output line.
field() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k {print $2}'; }

case $MODE in
refresh)
	# One refresh is what the connections view does every interval: read and
	# parse the table, filter, keep and sort the rows, render the screen.
	# "lvsadm top -b" runs the same model and view for exactly -n refreshes:
	# 11 refreshes less 1 (start-up and the first) leaves 10.
	# user, system and total CPU ms of a "time -v" report
	cpu() { awk -F': ' '/User time/{u=$2} /System time/{s=$2} END{printf "%d %d %d", u * 1000 + 0.5, s * 1000 + 0.5, (u + s) * 1000 + 0.5}' "$1"; }
	/bin/time -v -o /tmp/tui.1 "$LVSADM" top -b --conns -n 1 -d 100ms >/dev/null
	/bin/time -v -o /tmp/tui.11 "$LVSADM" top -b --conns -n 11 -d 100ms >/dev/null
	# The floor: the kernel formatting its table as text, read whole 10 times.
	/bin/time -v -o /tmp/cat.10 sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do cat /proc/net/ip_vs_conn; done >/dev/null'
	/bin/time -v -o /tmp/ipvsadm.1 /sbin/ipvsadm -Lcn >/dev/null
	echo "$(cpu /tmp/tui.1) $(cpu /tmp/tui.11) $(cpu /tmp/cat.10) $(cpu /tmp/ipvsadm.1)" | awk -v n="$CONNS" '{
		printf "tui-refresh %d-conns %.1f ms-cpu-per-refresh (user %.1f, system %.1f)\n", n, ($6 - $3) / 10, ($4 - $1) / 10, ($5 - $2) / 10
		printf "floor: reading /proc/net/ip_vs_conn once %.1f ms (user %.1f, system %.1f)\n", $9 / 10, $7 / 10, $8 / 10
		printf "for scale: the real ipvsadm -Lcn once %d ms\n", $12}'
	echo "tui-rss $CONNS-conns $(awk -F': ' '/Maximum resident/{print $2}' /tmp/tui.11) kB"
	;;
idle)
	for v in conns svc; do
		keys=; [ $v = conns ] && keys=2
		out=$(/work/ptyrun -settle 2s -keys "$keys" -for 60s -- "$LVSADM" tui --interval 1s)
		awk -v n="$CONNS" -v v=$v -v c="$(field "$out" cpu_ms)" -v w="$(field "$out" wall_ms)" \
			'BEGIN{printf "tui-idle-%s %d-conns %.2f %%-of-one-core\n", v, n, 100 * c / w}'
	done
	;;
esac
