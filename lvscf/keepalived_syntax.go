package lvscf

import "fmt"

// keepalivedKeywords open the blocks of a keepalived.conf.
var keepalivedKeywords = map[string]bool{
	"global_defs": true, "vrrp_instance": true, "vrrp_sync_group": true, "vrrp_script": true,
	"virtual_server": true, "virtual_server_group": true, "real_server": true,
	"static_ipaddress": true, "static_routes": true, "static_rules": true, "local_address_group": true,
}

// keepalivedSyntax finds a keepalived.conf given where an lvs.cf is
// expected: a line that starts with one of keepalived's block keywords,
// and not a single "key = value" line (every lvs.cf has some). Such a file
// gets one error that says what to do instead of one error per line.
func (f *File) keepalivedSyntax() bool {
	// In file order (the tree's): a Loader's lines are not stored in it.
	first := -1
	keyLine := f.eachLineUntil(f.Root, func(i int) bool {
		l := &f.Lines[i]
		if first < 0 && (l.Kind == LineOpen || l.Kind == LineBad) && keepalivedKeywords[l.Word(0)] {
			first = i
		}
		return l.Kind == LineKeyValue
	})
	if keyLine || first < 0 {
		return false
	}
	l := &f.Lines[first]
	f.Diags = []Diagnostic{{File: f.Name, Line: l.Num, Col: l.Col(0), Severity: SevError, Code: "keepalived-syntax",
		Message: fmt.Sprintf("this is keepalived.conf syntax (%q), not lvs.cf: convert it with \"lvsadm cf import %s\"", l.Word(0), f.Name)}}
	return true
}
