// Package daemon is "lvsadm daemon": piranha's pulse, lvs, nanny and
// send_arp in one process. It loads lvs.cf (refusing files with lint
// errors and keeping the running state when a reload is refused), runs the
// heartbeat (daemon/heartbeat), checks every real server on both directors
// (daemon/health), and while active holds the floating addresses
// (daemon/vip), keeps the IPVS table equal to the configuration minus the
// servers that are down (TableApplier) and runs the kernel's connection
// sync daemon as master (as backup while standby). A unix control socket
// serves the status as JSON for "lvsadm status". See docs/daemon.md.
package daemon
