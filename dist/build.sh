#!/usr/bin/env bash
# make dist: a static binary and .deb/.rpm packages (lvsadm, and the
# lvsadm-ipvsadm drop-in) in bin/dist, built with nfpm.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
NFPM_VERSION=v2.41.0 # later releases need modules outside the Go proxy
nfpm=$(go env GOPATH)/bin/nfpm
if ! "$nfpm" --version 2>/dev/null | grep -q "${NFPM_VERSION#v}"; then
	GOFLAGS= go install "github.com/goreleaser/nfpm/v2/cmd/nfpm@$NFPM_VERSION"
fi
# Package versions must start with a digit: tag v0.1.0 -> 0.1.0, three
# commits later (v0.1.0-3-gabc) -> 0.1.0.3.gabc; no tag -> 0.0.0~git.<id>.
if raw=$(git describe --tags 2>/dev/null); then
	v=${raw#v}
else
	raw=$(git rev-parse --short HEAD 2>/dev/null || echo dev)
	v=0.0.0~git.$raw
fi
export VERSION=${v//-/.} ARCH=${ARCH:-amd64}
make build VERSION="$raw" >/dev/null
mkdir -p bin/dist
for cfg in dist/nfpm.yaml dist/nfpm-ipvsadm.yaml; do
	for p in deb rpm; do
		"$nfpm" package --config "$cfg" --packager "$p" --target bin/dist/ >/dev/null
	done
done
ls -1 bin/dist
