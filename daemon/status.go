package daemon

import (
	"time"

	"github.com/lvsadm/lvsadm/daemon/health"
	"github.com/lvsadm/lvsadm/daemon/heartbeat"
)

// Status is what the control socket serves ("lvsadm status -o json").
type Status struct {
	PID             int              `json:"pid"`
	Config          string           `json:"config"`
	Serial          int              `json:"serial_no"`
	Digest          string           `json:"digest"`
	LoadedAt        time.Time        `json:"loaded_at"`
	LastReloadError string           `json:"last_reload_error,omitempty"`
	Heartbeat       heartbeat.Status `json:"heartbeat"`
	HeartbeatKeys   []string         `json:"heartbeat_keys,omitempty"` // key ids, signing key first
	VIPs            []string         `json:"vips"`
	Virtuals        []VirtualStatus  `json:"virtuals"`
	Events          []Event          `json:"events"`
	TableError      string           `json:"table_error,omitempty"`
	Since           time.Time        `json:"role_since"`
}

// VirtualStatus is one virtual server and its real servers.
type VirtualStatus struct {
	Name     string         `json:"name"`
	Active   bool           `json:"active"`
	Address  string         `json:"address"`
	Port     uint16         `json:"port"`
	Protocol string         `json:"protocol"`
	Fwmark   uint32         `json:"fwmark,omitempty"`
	Servers  []ServerStatus `json:"servers"`
}

// ServerStatus is one real server: its configuration and health.
type ServerStatus struct {
	Name    string `json:"name"`
	Address string `json:"address"`
	Port    uint16 `json:"port"`
	Weight  int    `json:"weight"`
	Active  bool   `json:"active"`
	health.ServerStatus
}

// Event is something that happened, for the status' recent history.
type Event struct {
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"` // role, health, config, heartbeat
	Message string    `json:"message"`
	Server  string    `json:"server,omitempty"`
	State   string    `json:"state,omitempty"`
	Reason  string    `json:"reason,omitempty"`
	Answer  string    `json:"answer,omitempty"`
}
