#!/usr/bin/env bash
# make demo: boot the lab VM and run testdata/lab/demo.sh there with bin/lvsadm.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
payload=$(mktemp -d)
trap 'rm -rf "$payload"' EXIT
mkdir -p "$payload/testdata"
cp "$repo/bin/lvsadm" "$payload/lvsadm"
cp -a "$repo/testdata/lab" "$payload/testdata/"
bash "$repo/testdata/vm/vm.sh" run "$payload" 'sh testdata/lab/demo.sh'
