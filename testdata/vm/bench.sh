#!/usr/bin/env bash
# make bench: side-by-side runs of the real ipvsadm, lvsadm and its drop-in
# build (bin/ipvsadm) in the lab VM
# under qemu -icount (repeatable guest instruction time), then the Go
# benchmarks on the host.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
payload=$(mktemp -d)
trap 'rm -rf "$payload"' EXIT
mkdir -p "$payload/testdata"
cp "$repo/bin/lvsadm" "$payload/lvsadm"
cp "$repo/bin/ipvsadm" "$payload/ipvsadm"
(cd "$repo" && CGO_ENABLED=0 go build -o "$payload/udpflood" ./testdata/lab/udpflood)
cp -a "$repo/testdata/lab" "$payload/testdata/"
bash "$repo/testdata/vm/vm.sh" run --icount "$payload" 'sh testdata/lab/bench.sh'
