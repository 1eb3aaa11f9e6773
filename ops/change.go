package ops

import (
	"fmt"
	"net/netip"
)

// Action is what a Change does.
type Action uint8

const (
	AddService Action = iota + 1
	EditService
	DelService
	AddDestination
	EditDestination
	DelDestination
)

var actionNames = map[Action]string{
	AddService: "add-service", EditService: "edit-service", DelService: "del-service",
	AddDestination: "add-dest", EditDestination: "edit-dest", DelDestination: "del-dest",
}

func (a Action) String() string {
	if n, ok := actionNames[a]; ok {
		return n
	}
	return fmt.Sprintf("action(%d)", a)
}

// Change is one kernel operation. Service is the whole service for
// AddService and EditService; for the others only its key matters.
// Destination is set for the destination actions.
type Change struct {
	Action      Action
	Service     Service
	Destination Destination
}

// String describes the change in lvsadm's own terms ("add-dest TCP
// 10.0.0.1:80 -> 10.0.1.1:80 weight 2"); ipvsadm.FormatChange prints it
// as the ipvsadm command line instead.
func (c Change) String() string {
	s := c.Action.String() + " " + c.Service.ServiceKey.String()
	switch c.Action {
	case AddService, EditService:
		s += " scheduler " + c.Service.Scheduler
	case AddDestination, EditDestination, DelDestination:
		s += " -> " + netip.AddrPortFrom(c.Destination.ID().Addr, c.Destination.Port).String()
		if c.Action != DelDestination {
			s += fmt.Sprintf(" weight %d", c.Destination.Weight)
		}
	}
	return s
}

// ChangeError is a change the kernel refused. Its message names the change
// in lvsadm's terms; ipvsadm.ChangeErrorLine names it as the ipvsadm
// command line instead, for messages that admins compare with ipvsadm.
type ChangeError struct {
	Change Change
	Index  int // the change's place in the list applied: those before it were made
	Err    error
}

func (e *ChangeError) Error() string { return e.Change.String() + ": " + e.Err.Error() }

func (e *ChangeError) Unwrap() error { return e.Err }
