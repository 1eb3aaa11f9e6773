package ipvsadm

// OptionNames lists every option ipvsadm accepts, long ("--list") and
// short ("-L") forms, in the option table's order, for shell completion.
func OptionNames() []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, o := range optionTable {
		if o.short != 0 {
			add("-" + string(o.short))
		}
		add("--" + o.long)
	}
	return out
}
