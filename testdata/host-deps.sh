#!/usr/bin/env bash
# Host packages the unit tests need (the VM lab's are installed by
# testdata/vm/vm.sh): bash-completion, for the test that runs our bash
# completion script the way an interactive shell does; GNU patch, which
# checks the unified diffs of "cf fmt -d".
set -euo pipefail
missing=()
[ -f /usr/share/bash-completion/bash_completion ] || missing+=(bash-completion)
command -v patch >/dev/null || missing+=(patch)
if [ ${#missing[@]} -gt 0 ]; then
	echo "host-deps: installing ${missing[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi
