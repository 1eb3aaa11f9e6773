package daemon

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/lvsadm/lvsadm/daemon/heartbeat"
	"github.com/lvsadm/lvsadm/lvscf"
)

// Loaded is a configuration the daemon accepted.
type Loaded struct {
	Path     string
	Cfg      *lvscf.Config
	Digest   heartbeat.Digest
	LoadedAt time.Time
	// Source is the file's bytes: a reload of the same bytes is known to
	// change nothing before any parsing. They are the bytes the daemon's
	// lvscf.Loader keeps too (one copy), compared rather than hashed: the
	// lab's emulated CPU has no SHA instructions, and hashing 1.2 MB there
	// was a tenth of a second before a changed server's edit.
	Source []byte
}

// LintError is a refused configuration: it holds lint errors.
type LintError struct {
	Path  string
	Diags []lvscf.Diagnostic
}

func (e *LintError) Error() string {
	var errs []string
	for _, d := range e.Diags {
		if d.Severity == lvscf.SevError {
			errs = append(errs, d.String())
		}
	}
	if len(errs) > 5 {
		errs = append(errs[:5], fmt.Sprintf("(and %d more)", len(errs)-5))
	}
	return fmt.Sprintf("%s has lint errors:\n%s", e.Path, strings.Join(errs, "\n"))
}

// Load reads, lints and decodes a configuration. Files with lint errors
// are refused whole, so a typo never reaches the table.
func Load(path string) (*Loaded, error) {
	src, err := readConfig(path)
	if err != nil {
		return nil, err
	}
	return loadDigest(lvscf.NewLoader(lvscf.LintOptions{}), path, src)
}

// loadDigest is Load of bytes already read, with ld (the daemon's, which
// keeps the tree for the next reload).
func loadDigest(ld *lvscf.Loader, path string, src []byte) (*Loaded, error) {
	l, err := loadSource(ld, path, src)
	if err != nil {
		return nil, err
	}
	l.Digest = Digest(l.Cfg)
	return l, nil
}

// readConfig reads the file as Load does, a file too large for lvscf
// being a lint error like any other.
func readConfig(path string) ([]byte, error) {
	src, err := lvscf.ReadFile(path)
	if errors.Is(err, lvscf.ErrTooLarge) {
		return nil, &LintError{Path: path, Diags: []lvscf.Diagnostic{{File: path, Line: 1, Col: 1, Severity: lvscf.SevError, Code: "file-too-large", Message: err.Error()}}}
	}
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return src, nil
}

// loadSource is Load of bytes already read, whose SHA-256 is sum (a
// reload has it already: hashing 1.2 MB twice cost a millisecond), without
// the digest: everything that can refuse the file, and nothing else. A
// reload computes the digest only after its kernel edits (it cannot refuse
// a file, and at 10,000 real servers it is a walk of every setting).
func loadSource(ld *lvscf.Loader, path string, src []byte) (*Loaded, error) {
	// One parse and one analysis for both the lint and the configuration,
	// of the top-level blocks that changed since ld's last load (the
	// others are taken as they were: lvscf.Loader).
	cfg, diags := ld.Load(path, src)
	if cfg == nil {
		return nil, &LintError{Path: path, Diags: diags}
	}
	if cfg.Service == "fos" {
		return nil, fmt.Errorf("load %s: service = fos (failover services) is not supported by lvsadm daemon", path)
	}
	return &Loaded{Path: path, Cfg: cfg, LoadedAt: time.Now(), Source: src}, nil
}

// Digest is the SHA-256 of every effective setting (lvscf.Flatten, as
// "path=value\n" lines) except serial_no, which the heartbeat carries on
// its own: two directors with the same digest run the same configuration.
func Digest(cfg *lvscf.Config) heartbeat.Digest {
	h := sha256.New()
	// The lines go to one buffer, hashed 64 KiB at a time: one copy of
	// each field, not a write per word to the hash. A virtual server's
	// lines are appended without a string per field
	// (lvscf.AppendVirtualFields): formatting 80,000 fields into strings
	// was 40% of a one-server reload's CPU at 10,000 real servers.
	buf := make([]byte, 0, 80<<10)
	flush := func() {
		if len(buf) > 64<<10 {
			h.Write(buf)
			buf = buf[:0]
		}
	}
	lvscf.EachFieldBlocks(cfg, func(prefix, key, value string) {
		if prefix == "" && key == "serial_no" {
			return
		}
		flush()
		buf = lvscf.AppendField(buf, prefix, key, value)
	}, func(v *lvscf.Virtual) {
		flush()
		buf = lvscf.AppendVirtualFields(buf, v)
	})
	h.Write(buf)
	var d heartbeat.Digest
	copy(d[:], h.Sum(nil))
	return d
}

// changedVirtuals lists the indexes of the virtual servers of l that
// differ from old's. ok is false when the reload cannot be narrowed to
// them: something outside the virtual blocks changed (a global setting
// can change every service or check), or virtual servers were added,
// removed, renamed or moved. It compares the decoded configurations, not
// the digest's lines: the digest is computed only after the kernel edits,
// and every setting the digest covers is a field of lvscf.Config, so equal
// fields build the same checks and the same IPVS service (reflect.DeepEqual
// follows every field, so one added to lvscf.Config is compared without a
// change here).
func changedVirtuals(old, l *Loaded) (changed []int, ok bool) {
	if len(old.Cfg.Virtuals) != len(l.Cfg.Virtuals) || !sameGlobals(old.Cfg, l.Cfg) {
		return nil, false
	}
	for i := range l.Cfg.Virtuals {
		a, b := &old.Cfg.Virtuals[i], &l.Cfg.Virtuals[i]
		if a.Name != b.Name {
			return nil, false
		}
		if !sameVirtual(a, b) {
			changed = append(changed, i)
		}
	}
	return changed, true
}

// sameVirtual is reflect.DeepEqual(a, b) without reflect, which took
// about as long as the digest's walk it replaces. TestSameVirtualFields
// fails when lvscf.Virtual gains a field this does not compare; the
// comparable parts are compared with == (a field that is not comparable
// would stop this from compiling).
func sameVirtual(a, b *lvscf.Virtual) bool {
	return a.ServiceCommon == b.ServiceCommon &&
		a.SorryServer == b.SorryServer && a.Fwmark == b.Fwmark && a.Scheduler == b.Scheduler &&
		a.Persistent == b.Persistent && a.PMask == b.PMask && a.UseRegex == b.UseRegex &&
		a.LoadMonitor == b.LoadMonitor && a.QuiesceServer == b.QuiesceServer && a.Announce == b.Announce &&
		slices.Equal(a.SchedFlags, b.SchedFlags) && slices.Equal(a.Servers, b.Servers) &&
		slices.EqualFunc(a.FwmarkMatch, b.FwmarkMatch, func(x, y lvscf.FwmarkMatch) bool { return reflect.DeepEqual(x, y) })
}

// sameGlobals reports whether a and b are the same outside their virtual
// blocks, serial_no left out as the digest leaves it out.
func sameGlobals(a, b *lvscf.Config) bool {
	x, y := *a, *b
	x.SerialNo, y.SerialNo = 0, 0
	x.Virtuals, y.Virtuals = nil, nil
	return reflect.DeepEqual(&x, &y)
}

func digestString(d heartbeat.Digest) string { return hex.EncodeToString(d[:]) }

// duration converts lvs.cf seconds.
func duration(s lvscf.Seconds) time.Duration {
	return time.Duration(float64(s) * float64(time.Second))
}

// Role decides whether this director is the primary: pulse's amMaster asks
// whether one of the local interfaces holds the primary address. force
// ("primary" or "backup") overrides the detection.
func isPrimary(cfg *lvscf.Config, local []netip.Addr, force string) (bool, error) {
	switch force {
	case "primary":
		return true, nil
	case "backup":
		return false, nil
	case "", "auto":
	default:
		return false, fmt.Errorf("unknown role %q: want primary, backup or auto", force)
	}
	if isECMP(cfg) {
		return false, nil // no pair: every director is the same
	}
	for _, a := range local {
		if a.Unmap() == cfg.Primary {
			return true, nil
		}
	}
	for _, a := range local {
		if cfg.Backup.IsValid() && a.Unmap() == cfg.Backup {
			return false, nil
		}
	}
	return false, fmt.Errorf("this host holds neither the primary (%s) nor the backup (%s) address", cfg.Primary, cfg.Backup)
}

// heartbeatConfig builds the state machine's configuration.
func heartbeatConfig(l *Loaded, primary bool, o *Options) heartbeat.Config {
	c := l.Cfg
	hc := heartbeat.Config{
		Primary:      primary,
		BackupActive: c.BackupActive && c.Backup.IsValid(),
		Keepalive:    duration(c.Keepalive),
		Deadtime:     duration(c.Deadtime),
		ForceActive:  o.ForceActive,
		Failback:     duration(c.Failback),
		Plain:        o.PlainHeartbeat,
		Keys:         o.Keys,
		Serial:       int32(c.SerialNo),
		Digest:       l.Digest,
	}
	ep := endpoints(c, primary)
	hc.Peer = ep.Peer
	if ep.LocalPrivate.IsValid() {
		hc.PeerPrivate = ep.PeerPrivate
	}
	return hc
}

// noKeyWarning is the warning a daemon logs at start when its heartbeat is
// not signed: without a key anyone who can send UDP from the partner's
// address can move the virtual addresses (spoofed "stopped"/"stop-me") or
// make the pair drop the config-digest check. lvs.cf has no key setting
// (piranha's format), so this is said at start rather than by cf lint.
func noKeyWarning(c *lvscf.Config, keys *heartbeat.Keyring) string {
	if !c.BackupActive || keys.Len() > 0 {
		return "" // no heartbeat at all, or a signed one
	}
	return "heartbeat has no key: anyone who can spoof the partner's address can move the virtual addresses; " +
		"run \"lvsadm cf keygen\" and start both directors with --heartbeat-key-file"
}

// endpoints: pulse binds its own public address and, when primary_private
// differs from primary, its own private address; it talks to the partner's.
func endpoints(c *lvscf.Config, primary bool) heartbeat.Endpoints {
	ep := heartbeat.Endpoints{Port: c.HeartbeatPort}
	if primary {
		ep.Local, ep.Peer = c.Primary, c.Backup
		ep.LocalPrivate, ep.PeerPrivate = c.PrimaryPrivate, c.BackupPrivate
	} else {
		ep.Local, ep.Peer = c.Backup, c.Primary
		ep.LocalPrivate, ep.PeerPrivate = c.BackupPrivate, c.PrimaryPrivate
	}
	if c.PrimaryPrivate == c.Primary || !c.PrimaryPrivate.IsValid() {
		ep.LocalPrivate, ep.PeerPrivate = netip.Addr{}, netip.Addr{}
	}
	return ep
}
