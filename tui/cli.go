package tui

// (Not named ipvsadm: the vmtest tests have a function of that name.)
import rules "github.com/lvsadm/lvsadm/ops/ipvsadm"

// editCLI is the shell command that makes change p, in ipvsadm's syntax as
// lvsadm accepts it, printed by the code that writes ipvsadm -S (so that
// it is the rule lvsadm -S would show): the status line ends with it,
// for scripts and for the next time without the TUI.
func editCLI(p pendingEdit) string {
	if p.daemonAct != "" {
		return daemonCLI(p)
	}
	var line string
	switch p.act {
	case actRemove:
		line = rules.DestinationLine("-d", p.key, p.dest)
	case actPutBack:
		line = rules.DestinationLine("-a", p.key, p.dest)
	case actZero:
		line = "-Z " + rules.ServiceArgs(p.key)
	default:
		d := p.dest
		d.Weight = p.weight
		line = rules.DestinationLine("-e", p.key, d)
	}
	return "lvsadm " + line
}
