#!/bin/sh
# make bench, inside the VM: the same workloads through the real ipvsadm,
# lvsadm and lvsadm's drop-in build (cmd/ipvsadm), each in a fresh
# namespace, and a table of their ratios to the real ipvsadm.
set -e
LVSADM=${LVSADM:-/work/lvsadm}
DROPIN=${DROPIN:-/work/ipvsadm}
IPVSADM=${IPVSADM:-/sbin/ipvsadm}
SVCS=${BENCH_SERVICES:-5000}
DESTS=${BENCH_DESTS:-4}
CONNS=${BENCH_CONNS:-50000}
rules=/tmp/bench.rules
# 5,000 services x 4 destinations, as ipvsadm -S -n writes them.
awk -v s="$SVCS" -v n="$DESTS" 'BEGIN{
	for (i = 0; i < s; i++) {
		a = sprintf("10.1.%d.%d", int(i / 250), i % 250 + 1)
		printf "-A -t %s:80 -s wlc\n", a
		for (j = 1; j <= n; j++) printf "-a -t %s:80 -r 10.2.%d.%d:8080 -m -w 1\n", a, int(i / 250), j
	}}' >"$rules"
echo "rules: $(wc -l <"$rules") lines ($SVCS services x $DESTS destinations)"
# A first, discarded round warms the kernel's caches and allocators, which
# otherwise charge the first tool for work the second does not repeat.
unshare -n sh /work/testdata/lab/bench-one.sh "$IPVSADM" "$rules" "$CONNS" >/dev/null
unshare -n sh /work/testdata/lab/bench-one.sh "$IPVSADM" "$rules" "$CONNS" >/tmp/bench.ipvsadm
unshare -n sh /work/testdata/lab/bench-one.sh "$LVSADM" "$rules" "$CONNS" >/tmp/bench.lvsadm
unshare -n sh /work/testdata/lab/bench-one.sh "$DROPIN" "$rules" "$CONNS" >/tmp/bench.dropin
echo
echo "guest instruction time under qemu -icount (ms); ratio = tool / ipvsadm; peak RSS in kB"
printf '%-12s %9s %9s %6s %9s %6s %11s %11s %11s\n' workload ipvsadm lvsadm ratio drop-in ratio rss-ipvsadm rss-lvsadm rss-drop-in
awk 'FILENAME == ARGV[1] {t[$1] = $2; r[$1] = $3; next}
	FILENAME == ARGV[2] {l[$1] = $2; lr[$1] = $3; next}
	{a = t[$1] > 0 ? sprintf("%.2f", l[$1] / t[$1]) : "-"
	 b = t[$1] > 0 ? sprintf("%.2f", $2 / t[$1]) : "-"
	 printf "%-12s %9d %9d %6s %9d %6s %11s %11s %11s\n", $1, t[$1], l[$1], a, $2, b, r[$1], lr[$1], $3}' \
	/tmp/bench.ipvsadm /tmp/bench.lvsadm /tmp/bench.dropin

