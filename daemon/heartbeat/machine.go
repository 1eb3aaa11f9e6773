package heartbeat

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"
)

// Link says which of the director's addresses a heartbeat arrived on.
type Link int

const (
	Public Link = iota
	Private
)

func (l Link) String() string {
	if l == Private {
		return "private"
	}
	return "public"
}

// Config is what the state machine needs from lvs.cf and the daemon.
type Config struct {
	// Primary: this director is lvs.cf's primary (pulse's amMaster: one of
	// its interfaces holds the primary address).
	Primary bool
	// BackupActive is lvs.cf's backup_active. Without it pulse sends no
	// heartbeat, a backup refuses to run and a primary goes active once
	// deadtime passes without hearing anyone.
	BackupActive bool
	// Peer and PeerPrivate are the partner's public and private addresses
	// (PeerPrivate invalid when there is no separate private link).
	// Heartbeats from any other address are ignored, as in pulse.
	Peer, PeerPrivate netip.Addr
	// Keepalive is the send interval, Deadtime the silence after which the
	// partner is declared dead. Fractions of a second are allowed.
	Keepalive, Deadtime time.Duration
	// ForceActive starts active (pulse --forceactive).
	ForceActive bool
	// Failback (lvs.cf's failback, an lvsadm extension) lets a standby
	// primary that hears the backup active take the services back: when
	// the daemon calls TakeBack (its sync backup has caught up with the
	// partner's connection table), or at the latest Failback after it
	// began waiting. 0: never, as piranha (see failback.go).
	Failback time.Duration

	// Plain sends exactly pulse's 4-byte datagram, without lvsadm's trailer,
	// from the start. Without it the trailer is sent until the partner is
	// heard, and only while the partner sends one too. It cannot be
	// combined with Keys.
	Plain bool
	// Keys, when not empty, sign every heartbeat and make the machine ignore
	// every heartbeat that is not signed with one of them.
	Keys *Keyring
	// MaxSkew bounds the difference between a signed version 1 heartbeat's
	// timestamp and the local clock (an older lvsadm partner; version 2
	// needs no clock). Default 30s.
	MaxSkew time.Duration

	// Serial and Digest describe the local lvs.cf; they are sent in the
	// trailer and compared with the partner's.
	Serial int32
	Digest Digest
}

// Check is what Reconfigure refuses, without applying anything: a reload
// asks it before its first kernel edit and reconfigures only after the
// edits, once the digest is computed (the digest cannot make it refuse).
func (c *Config) Check() error { return c.check() }

func (c *Config) check() error {
	if c.Keepalive <= 0 || c.Deadtime <= 0 {
		return fmt.Errorf("heartbeat: keepalive (%v) and deadtime (%v) must be positive", c.Keepalive, c.Deadtime)
	}
	if c.Plain && c.Keys.Len() > 0 {
		return errors.New("heartbeat: plain piranha heartbeats cannot carry a key")
	}
	if !c.Primary && !c.BackupActive {
		// pulse: "We are backup node and backup is marked inactive -- exiting pulse"
		return errors.New("heartbeat: this director is the backup but backup_active is 0")
	}
	if c.BackupActive && !c.Peer.IsValid() {
		return errors.New("heartbeat: no partner address")
	}
	return nil
}

// ActionKind is what the caller must do.
type ActionKind int

const (
	// ActSend: send Data to the partner's public and private addresses.
	ActSend ActionKind = iota
	// ActActivate: take over (VIPs, table, gratuitous ARP).
	ActActivate
	// ActDeactivate: give up the VIPs and services.
	ActDeactivate
	// ActRearp: the partner claims to be active too while we (the primary)
	// are; send gratuitous ARP again so traffic comes back here.
	ActRearp
	// ActNotice: something worth logging (Reason).
	ActNotice
	// ActInfo: a step worth an event that is no trouble (Reason): a
	// fail-back wait begins or ends without taking back.
	ActInfo
)

func (k ActionKind) String() string {
	return [...]string{"send", "activate", "deactivate", "rearp", "notice", "info"}[k]
}

// Action is one thing for the caller to do, in order.
type Action struct {
	Kind   ActionKind
	Reason string
	Data   []byte // ActSend
}

// Datagram is one received UDP payload and where it came from.
type Datagram struct {
	From netip.Addr
	Link Link
	Data []byte
}

// PeerStatus is what the machine knows of the partner, in the control
// protocol's shape: the daemon serves it as it is, so the two cannot drift
// apart. With a key, the copy of a heartbeat over the second link counts
// for that link's LastHeardPublic or LastHeardPrivate (it proves the link
// works) though it is not a new heartbeat.
type PeerStatus = control.PeerStatus

// Status is a snapshot for the control socket: the state the wire
// carries as it is, and the fail-back wait the daemon turns into the
// wire's shape.
type Status struct {
	control.HeartbeatState
	// FailbackSince is when this standby primary began waiting to take
	// the services back (zero: not waiting); FailbackHold bounds the wait.
	FailbackSince time.Time     `json:"failback_since,omitzero"`
	FailbackHold  time.Duration `json:"failback_hold,omitempty"`
}

// Machine is pulse's failover state machine. It is not safe for concurrent
// use; Run serialises access.
type Machine struct {
	cfg       Config
	active    bool
	childFail bool // pulse's PULSE_FLAG_CHILDFAIL: our services died
	linkFail  bool // pulse's PULSE_FLAG_LINKFAIL: one of our links is down (monitor_links)
	sendAt    time.Time
	needAt    time.Time
	peer      PeerStatus
	lastTS    int64    // version 1: timestamp of the last signed heartbeat accepted
	lastMAC   [32]byte // and its MAC, to recognise its copy on the other link
	lastLink  Link     // and the link it came on
	rejected  uint64

	// Version 2 replay protection; see Receive.
	boot    uint64      // our run's id
	seq     uint64      // sequence number of the last heartbeat we sent
	sent    []sentNonce // nonces we sent within deadtime, oldest first
	echo    uint64      // the partner's latest nonce, echoed in ours
	pRun    partnerRun  // the partner's run we follow
	earlyAt time.Time   // when answerEarly last brought a heartbeat forward
	peerVer uint8       // trailer version the partner last sent; 0 none
	plain   int         // plain (4-byte) heartbeats in a row from the partner

	// The start-up rule (see the MagicStopped case in Receive).
	peerRan      bool      // the partner's current run was heard running (or stop-me) since our start
	stoppedSince time.Time // first "stopped" of the partner's current uninterrupted run of them
	lastBoot     uint64    // run id of the last proven version 2 heartbeat
	bootKnown    bool
	lastRej      string
	// yieldedAt is when this director last gave up the services because
	// it had not run for longer than deadtime (see Stalled).
	yieldedAt time.Time
	notices   [nkCount]noticeState
	drops     Drops // the transport's counters at the last Dropped
	// awaitSince is when this standby primary began waiting to take the
	// services back from an active backup (failback.go); zero: not waiting.
	awaitSince time.Time
}

// New starts a machine at time now, standby unless cfg.ForceActive. The
// first heartbeat is due at once (pulse waits one keepalive; sending at
// start only makes the pair converge sooner).
func New(cfg Config, now time.Time) (*Machine, []Action, error) {
	if err := cfg.check(); err != nil {
		return nil, nil, err
	}
	if cfg.MaxSkew <= 0 {
		cfg.MaxSkew = 30 * time.Second
	}
	m := &Machine{cfg: cfg, sendAt: now, needAt: now.Add(cfg.Deadtime), boot: random64()}
	var acts []Action
	if cfg.ForceActive {
		m.active = true
		acts = append(acts, Action{Kind: ActActivate, Reason: "forced active on startup"})
	}
	return m, acts, nil
}

// Reconfigure applies a reloaded configuration without changing the role.
// Timers restart from now with the new intervals.
func (m *Machine) Reconfigure(cfg Config, now time.Time) error {
	if err := cfg.check(); err != nil {
		return err
	}
	if cfg.MaxSkew <= 0 {
		cfg.MaxSkew = 30 * time.Second
	}
	if cfg.Digest != m.cfg.Digest {
		m.peer.DigestMatch = nil
	}
	if (cfg.Keys.Len() > 0) != (m.cfg.Keys.Len() > 0) {
		// A key added or removed: the partner proves itself again.
		m.pRun = partnerRun{}
	}
	if cfg.Failback == 0 {
		// failback removed: never take back; a wait under way ends
		// (the status stops showing it).
		m.awaitSince = time.Time{}
	}
	m.cfg = cfg
	m.sendAt = now
	m.needAt = now.Add(cfg.Deadtime)
	return nil
}

// Active reports whether this director holds the services.
func (m *Machine) Active() bool { return m.active }

// Next is when Tick must be called next.
func (m *Machine) Next() time.Time {
	next := m.sendAt
	if m.needAt.Before(next) {
		next = m.needAt
	}
	if hold, ok := m.holdEnds(); ok && hold.Before(next) {
		next = hold
	}
	return next
}

// Status returns a snapshot.
func (m *Machine) Status() Status {
	s := Status{HeartbeatState: control.HeartbeatState{Role: "standby", Identity: "backup", Peer: m.peer, Rejected: m.rejected, LastReject: m.lastRej,
		ChildFail: m.childFail, LinkFail: m.linkFail, PrivateLink: m.cfg.PeerPrivate.IsValid(),
		DroppedForeign: m.drops.Foreign, DroppedForged: m.drops.Forged, DroppedQueueFull: m.drops.QueueFull}}
	if m.active {
		s.Role = "active"
	}
	if m.cfg.Primary {
		s.Identity = "primary"
	}
	if !m.awaitSince.IsZero() {
		s.FailbackSince, s.FailbackHold = m.awaitSince, m.cfg.Failback
	}
	return s
}

// Tick runs the timers: a heartbeat every keepalive, and takeover when the
// partner has been silent for deadtime.
func (m *Machine) Tick(now time.Time) []Action {
	acts := m.flushNotices(now)
	if !now.Before(m.sendAt) {
		acts = append(acts, m.heartbeat(now)...)
		m.sendAt = now.Add(m.cfg.Keepalive)
	}
	if !now.Before(m.needAt) {
		// pulse: a standby director whose links and services are fine
		// takes over; an active one just keeps going.
		// What we knew of the partner's state is stale: a partner that
		// comes back is heard afresh (start-up rule).
		m.peerRan, m.stoppedSince = false, time.Time{}
		m.awaitSince = time.Time{} // no partner to take back from
		if !m.active && !m.childFail && !m.linkFail {
			m.active = true
			reason := "partner dead: activating lvs"
			if !m.cfg.BackupActive {
				reason = "no backup configured: activating lvs"
			}
			acts = append(acts, Action{Kind: ActActivate, Reason: reason})
		}
		m.needAt = now.Add(m.cfg.Deadtime)
	}
	if hold, ok := m.holdEnds(); ok && !now.Before(hold) {
		take, err := m.TakeBack(now, fmt.Sprintf("hold time %v passed", m.cfg.Failback))
		if err != nil {
			// Not now (a stall's aftermath): end this wait, so its
			// deadline does not stay due; the next "running" starts
			// another.
			take = m.stopWaiting(err.Error())
		}
		acts = append(acts, take...)
	}
	return acts
}

// ServicesFailed is called when the local services died (pulse's lvs child
// exiting). The director gives up and will not take over again until the
// partner has been heard running (pulse's CHILDFAIL).
func (m *Machine) ServicesFailed(now time.Time, reason string) []Action {
	m.childFail = true
	if !m.active {
		return m.stopWaiting("services failed")
	}
	m.active = false
	return []Action{{Kind: ActDeactivate, Reason: "services failed: " + reason}}
}

// LinkState reports whether this director's own links are up (pulse's
// check_links with monitor_links). A director whose link fails gives up
// and takes nothing over until its links are back; it keeps sending
// heartbeats (standby), so the partner takes over.
func (m *Machine) LinkState(now time.Time, up bool) []Action {
	switch {
	case !up && !m.linkFail:
		m.linkFail = true
		acts := []Action{{Kind: ActNotice, Reason: "local NIC link failure: pulse disabled"}}
		acts = append(acts, m.stopWaiting("local link failure")...)
		if m.active {
			m.active = false
			acts = append(acts, Action{Kind: ActDeactivate, Reason: "local link failure: deactivating lvs"})
		}
		return acts
	case up && m.linkFail:
		m.linkFail = false
		return []Action{{Kind: ActNotice, Reason: "local NIC link(s) restored: pulse enabled"}}
	}
	return nil
}

func (m *Machine) heartbeat(now time.Time) []Action {
	if !m.cfg.BackupActive {
		return nil // pulse: no backup, nothing to send
	}
	magic := MagicStopped
	if m.active {
		magic = MagicRunning
	}
	var data []byte
	// Negotiation: the trailer goes out until the partner has been heard;
	// a partner that answers with bare magics is piranha, and from then on
	// it gets exactly pulse's 4 bytes (it would ignore the trailer anyway,
	// see TestPiranhaReadsOnlyTheMagic). With a key the trailer is always
	// sent: a keyed director does not pair with piranha.
	//
	// Without a key it takes a run of plainAfter bare magics, not one: a
	// single spoofed 4-byte packet switched a director to plain heartbeats
	// and so turned the config-digest check off (issue 11, item 10).
	switch {
	case m.cfg.Plain || (m.cfg.Keys.Len() == 0 && m.plain >= plainAfter):
		data = EncodePlain(magic)
	case m.peerVer == 1:
		// An older lvsadm refuses version 2: answer in its version.
		data = Encode(magic, Ext{Version: 1, Serial: m.cfg.Serial, Digest: m.cfg.Digest, UnixNano: now.UnixNano()}, m.cfg.Keys)
	default:
		m.seq++
		nonce := random64()
		m.remember(nonce, now)
		data = Encode(magic, Ext{Serial: m.cfg.Serial, Digest: m.cfg.Digest,
			BootID: m.boot, Seq: m.seq, Nonce: nonce, Echo: m.echo}, m.cfg.Keys)
	}
	return []Action{{Kind: ActSend, Data: data, Reason: magic.String()}}
}

// reject counts a refused datagram and reports it, at most once per
// NoticePeriod per kind of trouble (not per reason text: that held the
// sender's address, so a flood from random sources logged every packet).
func (m *Machine) reject(now time.Time, k noticeKind, reason string) []Action {
	m.rejected++
	m.lastRej = reason
	return m.limited(now, k, "heartbeat ignored: "+reason, 1)
}

// Filter is what the transport's readers must let through for this
// configuration (see Transport.SetFilter).
func (m *Machine) Filter() Filter {
	return Filter{Peers: [2]netip.Addr{m.cfg.Peer.Unmap(), m.cfg.PeerPrivate.Unmap()}, Keys: m.cfg.Keys}
}

func (m *Machine) fromPeer(a netip.Addr) bool {
	a = a.Unmap()
	return (m.cfg.Peer.IsValid() && a == m.cfg.Peer) || (m.cfg.PeerPrivate.IsValid() && a == m.cfg.PeerPrivate)
}

// heardOn records that a heartbeat came over link at now.
func (m *Machine) heardOn(link Link, now time.Time) {
	if link == Private {
		m.peer.LastHeardPrivate = now
	} else {
		m.peer.LastHeardPublic = now
	}
}

// Receive handles one datagram.
//
// With a key, a signed heartbeat proves the partner alive only when it is
// new. Version 2 (no clock involved, so the partner's clock may be stepped
// at will): every heartbeat carries the sender's run id (boot), a sequence
// number, a fresh random nonce, and the latest nonce the sender heard from
// us (echo). The partner's run is established once one of its heartbeats
// echoes a nonce we sent within the last deadtime: that one cannot have
// been recorded before we sent the nonce. From then on a heartbeat of that
// run is new when its sequence number is higher than the last one
// accepted. A heartbeat of another run is accepted only if it too echoes a
// nonce we sent within deadtime, no earlier than the one the current run
// last echoed: a restarted partner answers so within a round trip, and a
// recording of an earlier run cannot. Until the partner's run is
// established its heartbeats are heard (their nonce is echoed, so the
// partner can establish us) but prove nothing: they neither hold off a
// takeover nor move the state machine. So a recording replayed after our
// restart, when nothing it echoes is ours, cannot delay a takeover beyond
// deadtime, and a heartbeat stamped with any clock cannot make the real
// ones look old. Version 1 (an older lvsadm) keeps its timestamp rule.
func (m *Machine) Receive(now time.Time, d Datagram) []Action {
	if !m.fromPeer(d.From) {
		return m.reject(now, nkForeign, "unexpected sender "+d.From.String())
	}
	p, err := Decode(d.Data)
	if err != nil {
		return m.reject(now, nkMalformed, err.Error())
	}
	proof := true
	if m.cfg.Keys.Len() > 0 {
		if err := m.cfg.Keys.verify(d.Data, p.Ext); err != nil {
			return m.reject(now, nkAuth, err.Error())
		}
		var acts []Action
		var ok bool
		if p.Ext.Version == 1 {
			acts, ok = m.checkV1(now, d.Link, p.Ext)
		} else {
			acts, ok, proof = m.checkV2(now, d.Link, p.Ext)
		}
		if !ok {
			return acts
		}
	} else if p.Ext != nil && p.Ext.Version == 2 {
		// Nothing to check without a key (anyone can forge), but echo
		// anyway: the nonce costs nothing and keeps the trailer uniform.
		m.echo = p.Ext.Nonce
	}
	switch p.Magic {
	case MagicRunning, MagicStopped, MagicStopMe, MagicHold, MagicHeld:
	default:
		// pulse: "Incompatible heartbeat received -- other system not using
		// identical services" (a FOS partner, or garbage).
		return m.reject(now, nkIncompatible, "incompatible heartbeat "+p.Magic.String())
	}
	acts := m.noteVersion(p.Ext)
	m.peer.AwaitingEcho = !proof
	if !proof {
		return acts
	}
	if p.Ext != nil && p.Ext.Version == 2 {
		if m.bootKnown && p.Ext.BootID != m.lastBoot {
			// The partner restarted: what it said before says nothing
			// of the new run (start-up rule).
			m.peerRan, m.stoppedSince = false, time.Time{}
		}
		m.lastBoot, m.bootKnown = p.Ext.BootID, true
	}
	m.peer.Heard = true
	m.peer.LastHeard = now
	m.peer.From = d.From.Unmap().String()
	m.peer.Link = d.Link.String()
	m.heardOn(d.Link, now)
	m.peer.State = p.Magic.String()
	m.peer.Lvsadm = p.Ext != nil
	m.peer.Signed = p.Ext != nil && p.Ext.Signed
	if p.Ext == nil {
		m.plain++
	} else {
		m.plain = 0
	}
	if p.Ext != nil {
		serial := p.Ext.Serial
		m.peer.Serial = &serial
		m.peer.Digest = fmt.Sprintf("%x", p.Ext.Digest[:])
		match := p.Ext.Digest == m.cfg.Digest
		if m.peer.DigestMatch == nil || *m.peer.DigestMatch != match {
			if !match {
				acts = append(acts, Action{Kind: ActNotice, Reason: fmt.Sprintf(
					"partner's lvs.cf differs from ours (serial_no %d here, %d there)", m.cfg.Serial, serial)})
			} else if m.peer.DigestMatch != nil {
				acts = append(acts, Action{Kind: ActNotice, Reason: "partner's lvs.cf now matches ours"})
			}
		}
		m.peer.DigestMatch = &match
	} else {
		m.peer.Serial, m.peer.Digest, m.peer.DigestMatch = nil, "", nil
	}

	magic := p.Magic
	if magic == MagicStopMe {
		// A partner that wants to win the argument: a primary yields.
		if m.active && m.cfg.Primary {
			m.active = false
			acts = append(acts, Action{Kind: ActDeactivate, Reason: "partner has told us to go inactive"})
		}
		magic = MagicRunning
	}
	switch magic {
	case MagicRunning:
		m.peerRan, m.stoppedSince = true, time.Time{}
		m.childFail = false
		switch {
		case m.active && !m.cfg.Primary:
			// Both active and we are the backup: tell the primary once more
			// that we were active (so it re-ARPs), then yield.
			acts = append(acts, m.heartbeat(now)...)
			m.active = false
			acts = append(acts, Action{Kind: ActDeactivate, Reason: "partner active: deactivating lvs"})
		case m.active && m.cfg.Primary:
			acts = append(acts, Action{Kind: ActRearp, Reason: "partner active: resending arps"})
		case !m.active && m.cfg.Primary:
			acts = append(acts, m.startWaiting(now)...)
		}
	case MagicStopped:
		// Neither side active: one of them starts. pulse lets whoever
		// hears the other's "stopped" start, so two directors started
		// together both did (each heard the other's first "stopped") and
		// both held the VIP until the backup heard "running" (issue 11,
		// item 7). The tie is broken by role: the primary starts on
		// "stopped"; the backup starts on it only when the primary is
		// known to have given up (it was heard running in this run of
		// it), or after hearing nothing but "stopped" for a whole
		// deadtime (a primary that cannot start: services or link
		// failed). Meanwhile the primary's "running" arrives. A
		// returning primary hears "running" from an active backup and
		// stays standby: piranha never fails back on its own.
		if m.stoppedSince.IsZero() {
			m.stoppedSince = now
		}
		// The partner is not active (any more): nothing to take back;
		// the rules below decide.
		m.awaitSince = time.Time{}
		// Not within deadtime of yielding for a stall: the "stopped"
		// heartbeats queued while this director was stopped are older than
		// the partner's takeover, and the two links' queues interleave, so
		// even one heard after the partner's "running" may be stale.
		if !m.active && !m.childFail && !m.linkFail && now.Sub(m.yieldedAt) >= m.cfg.Deadtime {
			reason := ""
			switch {
			case m.cfg.Primary:
				reason = "backup inactive: activating lvs"
			case m.peerRan:
				reason = "primary inactive: activating lvs"
			case now.Sub(m.stoppedSince) >= m.cfg.Deadtime:
				reason = "primary inactive for deadtime: activating lvs"
			}
			if reason != "" {
				m.active = true
				acts = append(acts, Action{Kind: ActActivate, Reason: reason})
			}
		}
	}
	m.needAt = now.Add(m.cfg.Deadtime)
	return acts
}

// minStall is the least lateness taken for a stall whatever deadtime: a
// loaded machine (an emulator, a GC pause) can be late by a fraction of a
// second, and a sub-second deadtime must not turn that into a failover.
const minStall = 2 * time.Second

// Stalled is told (by the Driver) that the machine ran late by late: its
// timer was due that long ago, because the process was stopped (SIGSTOP,
// a paused VM) or starved. Past deadtime, by now the
// partner has heard nothing for deadtime and taken over, so an active
// director yields at once, before it sends a single "running" that would
// make the partner (a backup) hand the VIP back: no fight, the VIP moves
// once. The ordinary rules then decide afresh: the partner's "running"
// keeps this director standby; "stopped" heartbeats make it take over
// only after a whole deadtime of them (the ones queued while it was
// stopped are older than the partner's takeover); silence for deadtime
// makes it take over as always. A lone director (no backup) keeps going.
func (m *Machine) Stalled(now time.Time, late time.Duration) []Action {
	if late <= max(m.cfg.Deadtime, minStall) || !m.active || !m.cfg.BackupActive {
		return nil
	}
	m.active = false
	m.yieldedAt = now
	m.needAt = now.Add(m.cfg.Deadtime)
	m.peerRan, m.stoppedSince = false, time.Time{}
	return []Action{{Kind: ActDeactivate, Reason: fmt.Sprintf("did not run for %v, longer than deadtime: the partner has taken over; deactivating lvs", late.Round(time.Millisecond))}}
}
