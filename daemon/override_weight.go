package daemon

import "github.com/lvsadm/lvsadm/daemon/control"

// overrideWeight is the operator's word on a real server for the table
// builder (tableInputs.override): ok=false when there is none; out takes
// the server out; drain and weight give the weight it has while health
// keeps it in.
func (d *Daemon) overrideWeight(virtual, server string) (weight int32, in, ok bool) {
	ov, ok := d.overrides.Lookup(virtual, server)
	if !ok {
		return 0, true, false
	}
	return int32(ov.Weight), ov.Kind != control.Out, true
}
