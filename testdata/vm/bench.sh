#!/usr/bin/env bash
# make bench: side-by-side runs of the real ipvsadm, lvsadm and its drop-in
# build (bin/ipvsadm), then the TUI's and the daemon's figures, in the lab
# VM under qemu -icount (repeatable guest instruction time), then the Go
# benchmarks on the host.
#
# BENCH_SECTIONS picks the VM sections ("ipvsadm tui daemon", the default);
# the sizes (BENCH_SERVICES, BENCH_DESTS, BENCH_CONNS, BENCH_TUI_CONNS,
# BENCH_FAILOVER_RUNS, BENCH_DAEMON_SERVERS, BENCH_DAEMON_PER_VIP,
# BENCH_DAEMON_WINDOW) pass through to the guest. BENCH_DAEMON_BIG=1 adds
# the daemon's 100,000-server farm (and, unless LVSADM_VM_MEM and
# LVSADM_VM_TIMEOUT say otherwise, gives the VM 6 GiB and 3 hours).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
payload=$(mktemp -d)
trap 'rm -rf "$payload"' EXIT
mkdir -p "$payload/testdata"
cp "$repo/bin/lvsadm" "$payload/lvsadm"
cp "$repo/bin/ipvsadm" "$payload/ipvsadm"
cp "$repo/bin/lvsadm-bgp" "$payload/lvsadm-bgp"
(cd "$repo" && CGO_ENABLED=0 go build -o "$payload/udpflood" ./testdata/lab/udpflood)
(cd "$repo" && CGO_ENABLED=0 go build -o "$payload/ptyrun" ./testdata/lab/ptyrun)
(cd "$repo" && CGO_ENABLED=0 go build -o "$payload/labprobe" ./testdata/lab/labprobe)
cp -a "$repo/testdata/lab" "$payload/testdata/"
cmd=
if [ "${BENCH_DAEMON_BIG:-0}" = 1 ]; then
	export LVSADM_VM_MEM=${LVSADM_VM_MEM:-6144} LVSADM_VM_TIMEOUT=${LVSADM_VM_TIMEOUT:-10800}
fi
for v in BENCH_SERVICES BENCH_DESTS BENCH_CONNS BENCH_TUI_CONNS BENCH_FAILOVER_RUNS BENCH_DAEMON_SERVERS BENCH_DAEMON_PER_VIP BENCH_DAEMON_WINDOW BENCH_DAEMON_BIG; do
	if [ -n "${!v:-}" ]; then
		[[ ${!v} =~ ^[0-9]+$ ]] || { echo "bench.sh: $v must be a number" >&2; exit 2; }
		cmd+="export $v=${!v}; "
	fi
done
for s in ${BENCH_SECTIONS:-ipvsadm tui daemon}; do
	case $s in
	ipvsadm) cmd+="sh testdata/lab/bench.sh && " ;;
	# The TUI (targets: a refresh over 100,000 entries at most 100 ms of
	# CPU and 150 MB resident; idle at 1 s under 2% of one core).
	tui) cmd+='echo && echo "lvsadm tui, guest instruction time under qemu -icount" && unshare -n sh testdata/lab/bench-tui.sh refresh /work/lvsadm ${BENCH_TUI_CONNS:-100000} && unshare -n sh testdata/lab/bench-tui.sh idle /work/lvsadm 1000 && ' ;;
	daemon) cmd+="echo && sh testdata/lab/bench-daemon.sh && " ;;
	*) echo "bench.sh: unknown section $s" >&2; exit 2 ;;
	esac
done
bash "$repo/testdata/vm/vm.sh" run --icount "$payload" "${cmd}true"
