#!/usr/bin/env bash
# make fuzz (part of make test): every Go fuzz target in the repository for
# a short time each (FUZZTIME, default 5s), so CI keeps looking for inputs
# that panic or break a property, beyond the committed seed corpora.
set -euo pipefail
cd "$(dirname "$0")/.."
t=${FUZZTIME:-5s}
n=0
while IFS=: read -r file name; do
	pkg=./$(dirname "$file")
	echo "fuzz: $pkg $name ($t)"
	go test -run '^$' -fuzz "^${name}\$" -fuzztime "$t" "$pkg" >/tmp/fuzz.$$.log 2>&1 || { cat /tmp/fuzz.$$.log; rm -f /tmp/fuzz.$$.log; exit 1; }
	n=$((n + 1))
done < <(grep -rho --include='*_test.go' -E '^func (Fuzz[A-Za-z0-9_]+)' . --with-filename | sed -E 's#^\./##; s#:func #:#')
rm -f /tmp/fuzz.$$.log
echo "fuzz: $n targets, no failure"
