#!/usr/bin/env bash
# make bench: side-by-side runs of the real ipvsadm and lvsadm, then the
# daemon's figures, in the lab VM under qemu -icount (repeatable guest
# instruction time), then the Go benchmarks on the host.
#
# BENCH_SECTIONS picks the VM sections ("ipvsadm daemon", the default);
# the sizes (BENCH_SERVICES, BENCH_DESTS, BENCH_CONNS, BENCH_FAILOVER_RUNS,
# BENCH_DAEMON_SERVERS, BENCH_DAEMON_WINDOW) pass through to the guest.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
payload=$(mktemp -d)
trap 'rm -rf "$payload"' EXIT
mkdir -p "$payload/testdata"
cp "$repo/bin/lvsadm" "$payload/lvsadm"
(cd "$repo" && CGO_ENABLED=0 go build -o "$payload/udpflood" ./testdata/lab/udpflood)
(cd "$repo" && CGO_ENABLED=0 go build -o "$payload/labprobe" ./testdata/lab/labprobe)
cp -a "$repo/testdata/lab" "$payload/testdata/"
cmd=
for v in BENCH_SERVICES BENCH_DESTS BENCH_CONNS BENCH_FAILOVER_RUNS BENCH_DAEMON_SERVERS BENCH_DAEMON_WINDOW; do
	if [ -n "${!v:-}" ]; then
		[[ ${!v} =~ ^[0-9]+$ ]] || { echo "bench.sh: $v must be a number" >&2; exit 2; }
		cmd+="export $v=${!v}; "
	fi
done
for s in ${BENCH_SECTIONS:-ipvsadm daemon}; do
	case $s in
	ipvsadm) cmd+="sh testdata/lab/bench.sh && " ;;
	daemon) cmd+="echo && sh testdata/lab/bench-daemon.sh && " ;;
	*) echo "bench.sh: unknown section $s" >&2; exit 2 ;;
	esac
done
bash "$repo/testdata/vm/vm.sh" run --icount "$payload" "${cmd}true"
