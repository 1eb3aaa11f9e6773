package ops

import "net"

// Connection is one entry of the kernel's IPVS connection table.
type Connection struct {
	Protocol string // as the kernel prints it: TCP, UDP, SCTP, IP (templates)
	Client   net.IP
	CPort    uint16
	Virtual  net.IP
	VPort    uint16
	Dest     net.IP
	DPort    uint16
	State    string
	Expires  uint32 // seconds
	PEName   string
	PEData   string
}
