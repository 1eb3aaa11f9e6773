package main

import (
	"fmt"
	"regexp"
	"strings"
)

// The bash completion script cobra generates (V2) calls two functions of
// the bash-completion package, _get_comp_words_by_ref and _filedir, which
// a minimal install or a container does not have: there every TAB printed
// "command not found". selfSufficientBash makes the script define its own
// stand-ins, used only when the package's functions are not there.

const bashWordsCall = "    _get_comp_words_by_ref \"$@\" cur prev words cword\n"

const bashWordsFallback = `    if declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
        _get_comp_words_by_ref "$@" cur prev words cword
    else
        __lvsadm_comp_words
    fi
`

const bashStandIns = `# Without the bash-completion package these stand in for the two of its
# functions this script calls (_get_comp_words_by_ref, _filedir): the words
# are split at blanks only (so "=" and ":" stay inside a word, as -n =:
# asks), and files are completed without filtering by extension.
__lvsadm_comp_words()
{
    local line=${COMP_LINE:0:COMP_POINT}
    read -r -a words <<<"$line"
    if [[ -z $line || $line == *[[:blank:]] ]]; then
        words+=("")
    fi
    cword=$((${#words[@]} - 1))
    cur=${words[cword]}
    prev=
    if ((cword > 0)); then
        prev=${words[cword-1]}
    fi
    return 0
}

__lvsadm_filedir()
{
    if declare -F _filedir >/dev/null 2>&1; then
        _filedir "$@"
        return
    fi
    local IFS=$'\n'
    if [[ ${1-} == -d ]]; then
        COMPREPLY+=($(compgen -d -- "$cur"))
    else
        COMPREPLY+=($(compgen -f -- "$cur"))
    fi
}

`

// bashStandInsBefore is the comment the stand-ins are put above: the
// first function after __lvsadm_init_completion.
const bashStandInsBefore = "# This function calls the lvsadm program to obtain the completion\n"

var bashFiledir = regexp.MustCompile(`\b_filedir\b`)

// selfSufficientBash rewrites cobra's script; a template that no longer
// has what it rewrites is an error, so a cobra upgrade cannot silently
// bring the dependency back.
func selfSufficientBash(script string) (string, error) {
	if strings.Count(script, bashWordsCall) != 1 || strings.Count(script, bashStandInsBefore) != 1 {
		return "", fmt.Errorf("bash completion: cobra's script changed: _get_comp_words_by_ref call or %q not found once", strings.TrimSpace(bashStandInsBefore))
	}
	if n := len(bashFiledir.FindAllStringIndex(script, -1)); n == 0 {
		return "", fmt.Errorf("bash completion: cobra's script changed: no _filedir call")
	}
	script = strings.Replace(script, bashWordsCall, bashWordsFallback, 1)
	script = bashFiledir.ReplaceAllString(script, "__lvsadm_filedir")
	return strings.Replace(script, bashStandInsBefore, bashStandIns+bashStandInsBefore, 1), nil
}
