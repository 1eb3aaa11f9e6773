package lvscf

import (
	"slices"
	"testing"
)

// TestFailbackKey: failback is decoded, listed by Flatten only when set
// (files without it keep their fields and the daemon's digests), has its
// default through Get, and is edited with Set like any global key.
func TestFailbackKey(t *testing.T) {
	cfg, ds := Decode(Parse("lvs.cf", []byte(baseline)))
	if HasErrors(ds) || cfg.Failback != 0 {
		t.Fatalf("baseline: failback %v, %s", cfg.Failback, FormatDiagnostics(ds))
	}
	for _, fl := range Flatten(cfg) {
		if fl.Path == "failback" {
			t.Errorf("Flatten lists failback at its default: %+v", fl)
		}
	}
	if v, err := cfg.Get("failback"); err != nil || v != "0" {
		t.Errorf("Get(failback) = %q, %v; want 0", v, err)
	}
	f := Parse("lvs.cf", []byte(baseline))
	if err := f.Set("failback", "27.5"); err != nil {
		t.Fatal(err)
	}
	if err := f.Set("failback", "-3"); err == nil {
		t.Error("Set(failback, -3) accepted")
	}
	cfg, ds = Decode(Parse("lvs.cf", f.Bytes()))
	if HasErrors(ds) || cfg.Failback != 27.5 {
		t.Fatalf("after Set: failback %v, %s", cfg.Failback, FormatDiagnostics(ds))
	}
	if !slices.Contains(Flatten(cfg), Field{Path: "failback", Value: "27.5"}) {
		t.Errorf("Flatten lacks failback=27.5: %+v", Flatten(cfg))
	}
}
