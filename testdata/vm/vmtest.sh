#!/usr/bin/env bash
# Builds lvsadm and every package's real-kernel tests (build tag vmtest),
# runs them inside the lab VM, and prints a closing summary line. The exit
# status is the VM command's: non-zero if any test failed or the VM died.
#
#   vmtest.sh [-run REGEXP] [PKG...]     default: every package with vmtest files
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"

run_re=
if [ "${1:-}" = "-run" ]; then run_re=$2; shift 2; fi

# Packages: the arguments (patterns such as ./daemon/... allowed), keeping
# those that have vmtest files; default: every such package.
[ $# -gt 0 ] || set -- ./...
mapfile -t pkgs < <(go list -tags vmtest -f '{{if .TestGoFiles}}{{.Dir}}{{end}}' "$@" | while read -r d; do
	grep -l '^//go:build vmtest' "$d"/*_test.go >/dev/null 2>&1 && echo "./${d#"$repo"/}"
done)
[ ${#pkgs[@]} -gt 0 ] || { echo "vmtest.sh: no package with vmtest files in: $*" >&2; exit 2; }

payload=$(mktemp -d)
trap 'rm -rf "$payload"' EXIT
mkdir -p "$payload/tests" "$payload/testdata"
export CGO_ENABLED=0
go build -trimpath -o "$payload/lvsadm" .
go build -trimpath -o "$payload/ipvsadm" ./cmd/ipvsadm
# The daemon's BGP helper, found beside lvsadm (daemon/bgp.HelperPath).
go build -trimpath -o "$payload/lvsadm-bgp" ./cmd/lvsadm-bgp
# The spoofed-flood source of the heartbeat fault tests (daemon's TestLabHeartbeatFlood).
go build -trimpath -o "$payload/udpflood" ./testdata/lab/udpflood
# The ECMP lab's traffic: echo servers and held connections (internal/ecmplab).
go build -trimpath -o "$payload/connhold" ./testdata/lab/connhold
# Each test binary runs in a copy of its package directory (with the
# package's testdata and the repo's testdata beside it), so the ordinary
# tests it also contains find their files by relative path, as under go test.
mkdir -p "$payload/src"
cp -a testdata "$payload/src/"
for p in "${pkgs[@]}"; do
	name=$(echo "${p#./}" | tr / _)
	go test -c -tags vmtest -o "$payload/tests/$name.test" "$p"
	mkdir -p "$payload/src/${p#./}"
	[ -d "$p/testdata" ] && cp -a "$p/testdata" "$payload/src/${p#./}/"
	echo "$name ${p#./}" >>"$payload/tests/index"
done
cp -a testdata/conformance "$payload/testdata/"
[ -d testdata/lab ] && cp -a testdata/lab "$payload/testdata/"

# The host's LVSADM_LAB_* variables (switches of optional lab tests) reach
# the tests in the guest, single-quoted for its sh.
labenv=
while IFS= read -r v; do
	val=${!v}
	labenv+="export $v='${val//\'/\'\\\'\'}'"$'\n'
done < <(compgen -e | grep '^LVSADM_LAB_' || true)

cat >"$payload/run-tests.sh" <<EOF
#!/bin/sh
# Runs inside the VM (cwd /work).
export LVSADM=/work/lvsadm LVSADM_DROPIN=/work/ipvsadm IPVSADM=/sbin/ipvsadm CASES=/work/testdata/conformance LAB=/work/testdata/lab UDPFLOOD=/work/udpflood CONNHOLD=/work/connhold
$labenv
fails=0
passed=0
failed=0
while read -r pkg dir; do
	t=/work/tests/\$pkg.test
	log=/tmp/\$pkg.log
	start=\$(cut -d' ' -f1 /proc/uptime)
	(cd "/work/src/\$dir" && "\$t" -test.v -test.timeout 30m ${run_re:+-test.run '$run_re'}) </dev/null >"\$log" 2>&1
	rc=\$?
	end=\$(cut -d' ' -f1 /proc/uptime)
	grep -v -e '^=== RUN' -e '^=== PAUSE' -e '^=== CONT' -e '^\s*--- PASS' "\$log"
	p=\$(grep -c -e '^\s*--- PASS' "\$log")
	f=\$(grep -c -e '^\s*--- FAIL' "\$log")
	passed=\$((passed + p)); failed=\$((failed + f))
	if [ \$rc -eq 0 ]; then
		echo "ok  	\$pkg (vm)	\$(awk "BEGIN{print \$end - \$start}")s	\$p tests"
	else
		echo "FAIL	\$pkg (vm)	exit \$rc"
		fails=\$((fails + 1))
		[ \$f -eq 0 ] && failed=\$((failed + 1))
	fi
done </work/tests/index
echo "vmtest: \$passed passed, \$failed failed"
[ \$fails -eq 0 ]
EOF
chmod +x "$payload/run-tests.sh"
bash "$here/vm.sh" run "$payload" ./run-tests.sh
