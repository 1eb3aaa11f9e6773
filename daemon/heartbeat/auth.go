package heartbeat

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/lvsadm/lvsadm/internal/regfile"
)

// KeyID names a key on the wire without revealing it: the first four bytes
// of its SHA-256.
type KeyID [4]byte

func (id KeyID) String() string { return hex.EncodeToString(id[:]) }

// Key is one HMAC-SHA256 heartbeat key.
type Key struct {
	ID     KeyID
	secret []byte
}

// NewKey derives a key (and its id) from a secret.
func NewKey(secret []byte) Key {
	sum := sha256.Sum256(secret)
	var id KeyID
	copy(id[:], sum[:4])
	return Key{ID: id, secret: append([]byte(nil), secret...)}
}

func (k *Key) sum(data []byte) [32]byte {
	h := hmac.New(sha256.New, k.secret)
	h.Write(data)
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// Keyring holds the keys a director signs and verifies with. The first key
// signs; every key verifies. Rollover without a flap: add the new key as
// second line on both directors (reload), move it to the first line on both
// (reload), then drop the old one.
type Keyring struct {
	keys []Key
}

// Equal reports whether k and o hold the same secrets in the same order
// (nil is the empty keyring).
func (k *Keyring) Equal(o *Keyring) bool {
	var a, b []Key
	if k != nil {
		a = k.keys
	}
	if o != nil {
		b = o.keys
	}
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !hmac.Equal(a[i].secret, b[i].secret) {
			return false
		}
	}
	return true
}

// NewKeyring builds a keyring from secrets, the signing one first.
func NewKeyring(secrets ...[]byte) *Keyring {
	kr := &Keyring{}
	for _, s := range secrets {
		kr.keys = append(kr.keys, NewKey(s))
	}
	return kr
}

// Len is the number of keys; 0 means heartbeats are not authenticated.
func (kr *Keyring) Len() int {
	if kr == nil {
		return 0
	}
	return len(kr.keys)
}

// IDs lists the key ids, the signing key first (for status output).
func (kr *Keyring) IDs() []string {
	var out []string
	if kr == nil {
		return out
	}
	for _, k := range kr.keys {
		out = append(out, k.ID.String())
	}
	return out
}

func (kr *Keyring) current() *Key {
	if kr.Len() == 0 {
		return nil
	}
	return &kr.keys[0]
}

func (kr *Keyring) byID(id KeyID) *Key {
	if kr == nil {
		return nil
	}
	for i := range kr.keys {
		if kr.keys[i].ID == id {
			return &kr.keys[i]
		}
	}
	return nil
}

// Verification failures.
var (
	ErrUnsigned   = errors.New("heartbeat is not signed")
	ErrUnknownKey = errors.New("heartbeat signed with an unknown key")
	ErrBadMAC     = errors.New("heartbeat signature does not verify")
)

// verify checks the MAC of a raw datagram whose trailer decoded to e.
func (kr *Keyring) verify(raw []byte, e *Ext) error {
	if e == nil || !e.Signed {
		return ErrUnsigned
	}
	k := kr.byID(e.KeyID)
	if k == nil {
		return fmt.Errorf("%w (id %s)", ErrUnknownKey, e.KeyID)
	}
	_, offM, n := layout(e.Version)
	if len(raw) != n {
		return ErrBadMAC // not the datagram e was decoded from
	}
	want := k.sum(raw[:offM])
	if !hmac.Equal(want[:], e.MAC[:]) {
		return ErrBadMAC
	}
	return nil
}

// minSecret is the shortest secret accepted: 16 bytes (128 bits of text at
// best) keeps a guessed key out of reach of someone who can only send UDP.
const minSecret = 16

// LoadKeyFile reads a key file: one secret per line, the signing key first;
// blank lines and lines starting with # are skipped. The file must not be
// readable by group or others, since anyone who reads it can forge
// heartbeats.
//
// A FIFO or device is refused rather than read: opening a FIFO blocks
// until a writer comes, and the daemon would hang at start or reload.
func LoadKeyFile(path string) (*Keyring, error) {
	fh, err := regfile.Open(path)
	if err != nil {
		return nil, fmt.Errorf("heartbeat key file: %w", err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("heartbeat key file: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("heartbeat key file %s: mode %04o lets others read it; chmod 600", path, st.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(fh, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("heartbeat key file: %w", err)
	}
	if len(b) > maxKeyFile {
		return nil, fmt.Errorf("heartbeat key file %s: more than %d bytes; it holds a few lines of keys", path, maxKeyFile)
	}
	return ParseKeys(b)
}

// maxKeyFile bounds what LoadKeyFile reads: a key file is a few lines.
const maxKeyFile = 64 << 10

// ParseKeys reads the key file format (see LoadKeyFile).
func ParseKeys(b []byte) (*Keyring, error) {
	kr := &Keyring{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if len(line) < minSecret {
			return nil, fmt.Errorf("heartbeat key file line %d: key shorter than %d bytes", n, minSecret)
		}
		k := NewKey([]byte(line))
		if kr.byID(k.ID) != nil {
			return nil, fmt.Errorf("heartbeat key file line %d: duplicate key", n)
		}
		kr.keys = append(kr.keys, k)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("heartbeat key file: %w", err)
	}
	if len(kr.keys) == 0 {
		return nil, errors.New("heartbeat key file holds no key")
	}
	return kr, nil
}
