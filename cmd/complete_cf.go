package cmd

import (
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lvsadm/lvsadm/lvscf"
)

// maxPathCandidates bounds the paths offered at once: past it (a farm of
// thousands of real servers) the candidates stop at the next dot, and
// each TAB goes one level deeper.
const maxPathCandidates = 100

// completeCfPaths completes the PATH argument of cf get, set and delete
// with the paths of the file --file names (or the default): every key the
// file's blocks have ("virtual.www.port"), and, with blocks, the blocks
// themselves ("virtual.www", "virtual.www.server.web1"). A file that cannot
// be read completes nothing. Only the first argument is a PATH.
func completeCfPaths(f *Factory, file *string, blocks bool) cobra.CompletionFunc {
	return func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		src, err := lvscf.ReadFile(f.cfFile(*file))
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		cfg, _ := lvscf.Decode(lvscf.Parse("", src))
		if cfg == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		seen := map[string]bool{}
		var paths []string
		add := func(p string) {
			if !seen[p] && strings.HasPrefix(p, toComplete) {
				seen[p] = true
				paths = append(paths, p)
			}
		}
		lvscf.EachFieldParts(cfg, func(prefix, key, _ string) {
			if blocks && prefix != "" {
				add(strings.TrimSuffix(prefix, "."))
			}
			add(prefix + key)
		})
		return pathCandidates(paths, toComplete)
	}
}

// pathCandidates returns paths as they are, or, when there are too many,
// each cut after the dot that ends its next segment (without a trailing
// space, so the next TAB continues from there).
func pathCandidates(paths []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(paths) <= maxPathCandidates {
		sort.Strings(paths)
		return paths, cobra.ShellCompDirectiveNoFileComp
	}
	seen := map[string]bool{}
	var out []string
	for _, p := range paths {
		cut := p[:len(toComplete)+nextSegment(p[len(toComplete):])]
		if !seen[cut] {
			seen[cut] = true
			out = append(out, cut)
		}
	}
	sort.Strings(out)
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// nextSegment is the length of s up to and including the first dot that
// is not inside brackets ("[www.example.com].port" -> 18), or all of s.
func nextSegment(s string) int {
	depth := 0
	for i, r := range s {
		switch r {
		case '[':
			depth++
		case ']':
			depth--
		case '.':
			if depth == 0 && i > 0 {
				return i + 1
			}
		}
	}
	return len(s)
}

// flagValues are the fixed values of flags that take one of a few words,
// offered when the flag's value is completed. Flags registered elsewhere
// (every -o/--output FORMAT, status --state) are not repeated here.
var flagValues = []struct {
	cmd, flag string
	values    []string
}{
	{"lvsadm cf export", "to", []string{"keepalived"}},
	{"lvsadm cf export", "for", []string{"primary", "backup"}},
	{"lvsadm daemon", "role", []string{"primary", "backup", "auto"}},
	{"lvsadm daemon", "log-level", []string{"debug", "info", "warn", "error"}},
}

// registerFlagValues registers flagValues' completions in root's tree.
// An entry whose command or flag is missing registers nothing: the tests
// complete every entry (TestFlagValueCompletion), so a renamed flag fails
// there.
func registerFlagValues(root *cobra.Command) {
	for _, fv := range flagValues {
		if c, _, err := root.Find(strings.Fields(fv.cmd)[1:]); err == nil && c.CommandPath() == fv.cmd {
			_ = c.RegisterFlagCompletionFunc(fv.flag, cobra.FixedCompletions(fv.values, cobra.ShellCompDirectiveNoFileComp))
		}
	}
}
