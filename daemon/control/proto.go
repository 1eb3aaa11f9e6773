package control

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lvsadm/lvsadm/ops"
)

// The protocol: the client sends one request line and the daemon answers
// with one JSON document, then closes. The line is either the word
// "status" (the protocol's first form, kept so older clients work) or a
// Request as one line of JSON. Errors are answered as one line starting
// with `{"error":`, so a client can tell one from a status (which starts
// `{` newline) without decoding megabytes.
const (
	// MaxRequest bounds a request line; the daemon reads no more.
	MaxRequest = 4096
	// RequestTimeout bounds reading a request and answering status or
	// override requests.
	RequestTimeout = 5 * time.Second
	// ReloadTimeout bounds a reload's answer: a reload at 10,000 servers
	// may take seconds (lint, decode, the table).
	ReloadTimeout = 2 * time.Minute
	// MaxAnswer bounds what a client reads (a status at 100,000 servers).
	MaxAnswer = 64 << 20
)

// Operations.
const (
	OpStatus   = "status"
	OpReload   = "reload"
	OpOverride = "override"
	OpDirector = "director"
)

// Request is one control request.
type Request struct {
	Op       string           `json:"op"`
	Filter   *Filter          `json:"filter,omitempty"`   // OpStatus
	Override *OverrideRequest `json:"override,omitempty"` // OpOverride
	Director *DirectorRequest `json:"director,omitempty"` // OpDirector
}

// Director actions: take the whole director out of the routers' ECMP (its
// BGP routes withdrawn, its connections left to finish) and put it back.
const (
	ActDrainDirector   = "drain"
	ActUndrainDirector = "undrain"
)

// MaxDrainWait bounds how long a director drain waits for connections.
const MaxDrainWait = time.Hour

// DirectorRequest drains or undrains this director.
type DirectorRequest struct {
	Action string `json:"action"`
	// Wait (drain) is how long to wait for the connections to the
	// withdrawn addresses to end; 0 answers at once.
	Wait time.Duration `json:"wait_ns,omitempty"`
}

// Check reports a request the daemon would refuse.
func (r DirectorRequest) Check() error {
	switch r.Action {
	case ActDrainDirector, ActUndrainDirector:
	default:
		return fmt.Errorf("unknown director action %q", r.Action)
	}
	if r.Wait < 0 || r.Wait > MaxDrainWait {
		return fmt.Errorf("wait %v: expected 0 to %v", r.Wait, MaxDrainWait)
	}
	return nil
}

// DirectorResult is what a drain or undrain did.
type DirectorResult struct {
	Action string `json:"action"`
	// Routes are the addresses withdrawn (drain) or announced again
	// (undrain), as prefixes.
	Routes []string `json:"routes"`
	// Connections (drain): the IPVS connections to those addresses when
	// the routes were withdrawn, and those left when the answer was given.
	Connections     int `json:"connections"`
	ConnectionsLeft int `json:"connections_left"`
	// Waited is how long the drain waited; TimedOut says the wait ended
	// with connections left.
	Waited   time.Duration `json:"waited_ns"`
	TimedOut bool          `json:"timed_out,omitempty"`
}

// Filter narrows a status, so that the answer at 10,000 servers is small:
// the daemon applies it while building the answer.
type Filter struct {
	// Virtual: only the virtual server of that name (lvs.cf block name).
	Virtual string `json:"virtual,omitempty"`
	// VIP: only virtual servers on that address, "10.0.0.1" or
	// "10.0.0.1:80" ("[2001:db8::1]:80").
	VIP string `json:"vip,omitempty"`
	// State: only real servers in that state: up, down, quiesced
	// (down and kept at weight 0), unknown, off (active = 0), override
	// (drained, reweighted or taken out by an operator), or notup.
	State string `json:"state,omitempty"`
	// Summary: count every real server, list only those that are not up
	// or carry an override (lvsadm status without --all).
	Summary bool `json:"summary,omitempty"`
}

// States a Filter accepts.
var FilterStates = []string{Up, Down, "quiesced", Unknown, "off", "override", "notup"}

// IsZero reports whether f filters nothing.
func (f Filter) IsZero() bool { return f == Filter{} }

// Check reports a filter the daemon would refuse.
func (f Filter) Check() error {
	if f.State != "" && !slices.Contains(FilterStates, f.State) {
		return fmt.Errorf("unknown state %q: expected one of %s", f.State, strings.Join(FilterStates, ", "))
	}
	if f.VIP != "" {
		if _, _, err := ParseVIP(f.VIP); err != nil {
			return err
		}
	}
	return nil
}

// ParseVIP reads "ADDR" or "ADDR:PORT" ("[V6]:PORT"); port 0 is any port.
func ParseVIP(s string) (netip.Addr, uint16, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), 0, nil
	}
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		return netip.Addr{}, 0, fmt.Errorf("%q is not an address or address:port", s)
	}
	return ap.Addr().Unmap(), ap.Port(), nil
}

// Override actions.
const (
	ActDrain   = "drain"   // weight 0
	ActUndrain = "undrain" // clear a drain or a weight
	ActWeight  = "weight"  // set a weight
	ActOut     = "out"     // take out of the table
	ActIn      = "in"      // clear an out
)

// OverrideRequest changes the operator overrides of the real servers
// Target names: "VIRTUAL/SERVER" (lvs.cf block names), "VIRTUAL" (all its
// real servers), or a real server's address, "ADDR" or "ADDR:PORT" (every
// virtual where it appears).
type OverrideRequest struct {
	Action string `json:"action"`
	Target string `json:"target"`
	Weight int32  `json:"weight,omitempty"` // ActWeight
}

// MaxWeight is the highest weight the daemon takes: the kernel's and
// ipvsadm's (ops.MaxWeight).
const MaxWeight = ops.MaxWeight

// Check reports a request the daemon would refuse.
func (r OverrideRequest) Check() error {
	switch r.Action {
	case ActDrain, ActUndrain, ActOut, ActIn:
	case ActWeight:
		if r.Weight < 0 || r.Weight > MaxWeight {
			return fmt.Errorf("weight %d: expected 0 to %d", r.Weight, MaxWeight)
		}
	default:
		return fmt.Errorf("unknown override action %q", r.Action)
	}
	if strings.TrimSpace(r.Target) == "" {
		return errors.New("no real server named")
	}
	return nil
}

// OverrideChange is one real server an override request changed.
type OverrideChange struct {
	Virtual string    `json:"virtual"`
	Server  string    `json:"server"`
	Address string    `json:"address"`
	Port    uint16    `json:"port"`
	Weight  int       `json:"weight"`           // lvs.cf's
	Before  *Override `json:"before,omitempty"` // nil: none
	After   *Override `json:"after,omitempty"`  // nil: cleared
}

// OverrideResult lists what an override request changed; servers that
// already were as asked are not listed.
type OverrideResult struct {
	Matched int              `json:"matched"` // real servers the target named
	Changes []OverrideChange `json:"changes"`
}

// ReloadResult is an applied reload.
type ReloadResult struct {
	Serial int    `json:"serial_no"`
	Digest string `json:"digest"`
	// Changes counts the settings that differ from the running file.
	Changes int `json:"changes"`
	// Edits counts the kernel edits the reload made (0 on a standby,
	// which holds no table).
	Edits  int  `json:"edits"`
	Active bool `json:"active"`
	// Unchanged: the file's bytes were those already running, so nothing
	// was parsed or applied.
	Unchanged bool `json:"unchanged,omitempty"`
}

// String is the verdict lvsadm reload prints after "reloaded: ":
// "serial_no 4, 2 kernel edits".
func (r ReloadResult) String() string {
	s := fmt.Sprintf("serial_no %d, %d kernel edits", r.Serial, r.Edits)
	if r.Unchanged {
		s += " (file unchanged)"
	} else if !r.Active {
		s += " (standby: it holds no table)"
	}
	return s
}

// Reply answers reload and override requests.
type Reply struct {
	Error string `json:"error,omitempty"`
	// Refused: the reload was refused for these lint errors
	// ("FILE:LINE:COL: error: message [code]"); Error says so too.
	Refused  []string        `json:"refused,omitempty"`
	Reload   *ReloadResult   `json:"reload,omitempty"`
	Override *OverrideResult `json:"override,omitempty"`
	Director *DirectorResult `json:"director,omitempty"`
}

// ParseRequest reads one request line: "status" or a JSON Request.
func ParseRequest(line string) (Request, error) {
	line = strings.TrimSpace(line)
	if line == OpStatus {
		return Request{Op: OpStatus}, nil
	}
	if !strings.HasPrefix(line, "{") {
		return Request{}, fmt.Errorf("unknown request %q", line)
	}
	var r Request
	if err := json.Unmarshal([]byte(line), &r); err != nil {
		return Request{}, fmt.Errorf("bad request: %w", err)
	}
	switch r.Op {
	case OpStatus:
		if r.Filter != nil {
			if err := r.Filter.Check(); err != nil {
				return Request{}, err
			}
		}
	case OpReload:
	case OpOverride:
		if r.Override == nil {
			return Request{}, errors.New("override request without override")
		}
		if err := r.Override.Check(); err != nil {
			return Request{}, err
		}
	case OpDirector:
		if r.Director == nil {
			return Request{}, errors.New("director request without director")
		}
		if err := r.Director.Check(); err != nil {
			return Request{}, err
		}
	default:
		return Request{}, fmt.Errorf("unknown request %q", r.Op)
	}
	return r, nil
}

// Describe says what an override does, for people: "drained (weight 0)".
func (o *Override) Describe() string {
	if o == nil {
		return "no override"
	}
	switch o.Kind {
	case Drain:
		return "drained (weight 0)"
	case Weight:
		return "weight " + strconv.Itoa(int(o.Weight))
	case Out:
		return "taken out of the table"
	}
	return o.Kind
}
