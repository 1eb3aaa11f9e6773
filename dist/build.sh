#!/usr/bin/env bash
# make dist: a static binary and .deb/.rpm packages (lvsadm, and the
# lvsadm-ipvsadm drop-in) in bin/dist, built with nfpm from the files that
# this script stages in bin/stage: gzipped man pages, the maintainer
# scripts, the Debian changelog and the copyright file with the licenses
# of the Go modules linked in. docs/packaging.md says what the packages do.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
NFPM_VERSION=v2.41.0 # later releases need modules outside the Go proxy
nfpm=$(go env GOPATH)/bin/nfpm
if ! "$nfpm" --version 2>/dev/null | grep -q "${NFPM_VERSION#v}"; then
	GOFLAGS='' go install "github.com/goreleaser/nfpm/v2/cmd/nfpm@$NFPM_VERSION"
fi
# Package versions must start with a digit: tag v0.1.0 -> 0.1.0, three
# commits later (v0.1.0-3-gabc) -> 0.1.0.3.gabc; no tag -> 0.0.0~git.<id>.
if raw=$(git describe --tags 2>/dev/null); then
	v=${raw#v}
else
	raw=$(git rev-parse --short HEAD 2>/dev/null || echo dev)
	v=0.0.0~git.$raw
fi
# RELEASE: the packaging revision (Debian's -1, RPM's release).
export VERSION=${v//-/.} RELEASE=1 ARCH=${ARCH:-amd64}
make build VERSION="$raw" >/dev/null

stage=bin/stage
rm -rf "$stage" bin/dist
mkdir -p "$stage/man" "$stage/scripts" bin/dist

# Man pages gzipped (-n: no name or time stamp, so builds are reproducible).
# The committed pages name no version: those gendocs makes are made again
# naming the binary's (the one make build put into it) and its commit's
# date, and replace the committed ones (lvs.cf.5 is written by hand).
go run ./cmd/gendocs -out "$stage/gen" -version "${raw#v}" -date "$(git log -1 --format=%cs 2>/dev/null || date -u +%F)"
for m in man/*.[0-9] "$stage"/gen/man/*.[0-9]; do
	gzip -9n <"$m" >"$stage/man/${m##*/}.gz"
done

# Maintainer scripts; #DIVERSIONS# in lvsadm-ipvsadm's takes the list of
# diverted paths they share.
for s in dist/deb/*.preinst dist/deb/*.postinst dist/deb/*.prerm dist/deb/*.postrm dist/rpm/*; do
	sed -e '/^#DIVERSIONS#$/{r dist/deb/lvsadm-ipvsadm.diversions.sh' -e 'd}' "$s" >"$stage/scripts/${s##*/}"
done

# changelog.Debian.gz: one entry for this version, the commits since the
# last tag (at most 40), dated like the last commit.
{
	echo "lvsadm ($VERSION-$RELEASE) unstable; urgency=medium"
	echo
	range=HEAD
	tag=$(git describe --tags --abbrev=0 2>/dev/null) && range=$tag..HEAD
	git log --no-merges -n 40 --format=%s "$range" 2>/dev/null |
		while IFS= read -r s; do
			echo "$s" | fold -s -w 72 | sed -e 's/ *$//' -e '1s/^/  * /' -e '2,$s/^/    /'
		done
	echo
	echo " -- lvsadm developers <lvsadm@example.invalid>  $(date -R -u -d "@$(git log -1 --format=%ct 2>/dev/null || date +%s)")"
} >"$stage/changelog.Debian"
gzip -9n <"$stage/changelog.Debian" >"$stage/changelog.Debian.gz"

# copyright: lvsadm's own, then the Go standard library and every module
# linked into the binaries, each with its license text.
license_of() {
	local f=$1
	if grep -q 'Apache License' "$f"; then echo Apache-2.0
	elif grep -q 'Mozilla Public License' "$f"; then echo MPL-2.0
	elif grep -q 'Permission is hereby granted, free of charge' "$f"; then echo Expat
	elif grep -q 'Neither the name' "$f"; then echo BSD-3-clause
	elif grep -q 'Redistribution and use in source and binary forms' "$f"; then echo BSD-2-clause
	elif grep -q 'Permission to use, copy, modify, and/or distribute' "$f"; then echo ISC
	else echo other
	fi
}
# stanza NAME LICENSE-FILE [deb]: the .deb's copy refers to the license
# texts that Debian keeps in /usr/share/common-licenses instead of
# repeating them (the .rpm's has them all).
stanza() {
	local lic
	lic=$(license_of "$2")
	printf '\nFiles: (linked into the binaries) %s\nCopyright: %s\nLicense: %s\n' \
		"$1" "$(grep -m1 -i '^ *copyright ' "$2" | sed 's/^ *[Cc]opyright *//' || echo 'the authors of '"$1")" "$lic"
	case "$3:$lic" in
	deb:Apache-2.0 | deb:MPL-2.0)
		printf ' On Debian systems, the complete text of the %s license can be found\n in "/usr/share/common-licenses/%s".\n' "$lic" "$lic"
		;;
	*) sed -e 's/[[:space:]]*$//' -e 's/^$/./' -e 's/^/ /' "$2" ;;
	esac
}
modcache=$(go env GOMODCACHE)
for fmt in deb rpm; do
	{
	cat dist/copyright
	stanza "Go standard library $(go env GOVERSION)" "$(go env GOROOT)/LICENSE" $fmt
	go version -m bin/lvsadm bin/ipvsadm bin/lvsadm-bgp | awk '$1 == "dep" { print $2 "@" $3 }' | sort -u |
		while read -r mod; do
			# The module cache spells capitals as !lower.
			# shellcheck disable=SC2001 # \L: no parameter expansion lowers one letter
			dir=$modcache/$(echo "$mod" | sed 's/[A-Z]/!\L&/g')
			f=$(find "$dir" -maxdepth 1 \( -name 'LICENSE*' -o -name 'COPYING*' \) | sort | head -1)
			if [ -n "$f" ]; then stanza "$mod" "$f" $fmt; else echo "build.sh: no license file for $mod" >&2; exit 1; fi
		done
	} >"$stage/copyright.$fmt"
done

for cfg in dist/nfpm.yaml dist/nfpm-ipvsadm.yaml; do
	for p in deb rpm; do
		"$nfpm" package --config "$cfg" --packager "$p" --target bin/dist/ >/dev/null
	done
done
ls -1 bin/dist
