package daemon

import (
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/lvscf"
)

func TestOverrides(t *testing.T) {
	var none *Overrides
	if _, ok := none.Lookup("web", "rs1"); ok {
		t.Error("a nil set has an override")
	}
	o := &Overrides{}
	at := time.Unix(100, 0)
	if _, had := o.Set("web", "rs1", control.Override{Kind: control.Drain, Since: at}); had {
		t.Error("Set on an empty set replaced something")
	}
	prev, had := o.Set("web", "rs1", control.Override{Kind: control.Weight, Weight: 4, Since: at})
	if !had || prev.Kind != control.Drain {
		t.Errorf("Set replaced %+v %v", prev, had)
	}
	o.Set("web", "rs2", control.Override{Kind: control.Out, Since: at})
	o.Set("mail", "m1", control.Override{Kind: control.Drain, Since: at})
	if got, ok := o.Lookup("web", "rs1"); !ok || got.Kind != control.Weight || got.Weight != 4 || !got.Since.Equal(at) {
		t.Errorf("Lookup web/rs1 = %+v %v", got, ok)
	}
	// "web/rs1" and "web" + "/rs1" style collisions: names are whole.
	if _, ok := o.Lookup("web/rs1", ""); ok {
		t.Error("Lookup matched across the separator")
	}
	if prev, had := o.Clear("web", "rs2"); !had || prev.Kind != control.Out {
		t.Errorf("Clear = %+v %v", prev, had)
	}
	if _, had := o.Clear("web", "rs2"); had {
		t.Error("cleared twice")
	}
	cfg := &lvscf.Config{Virtuals: []lvscf.Virtual{{ServiceCommon: lvscf.ServiceCommon{Name: "web"}, Servers: []lvscf.Server{{Name: "rs1"}}}}}
	if dropped := o.Retain(cfg); strings.Join(dropped, ",") != "mail/m1" || o.Len() != 1 {
		t.Errorf("Retain dropped %q, left %v", dropped, o.List())
	}

	// Safe for concurrent use (go test -race).
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				o.Set("web", "rs1", control.Override{Kind: control.Weight, Weight: int32(i)})
				o.Lookup("web", "rs1")
				o.List()
			}
		}()
	}
	wg.Wait()
}

func TestResolveTarget(t *testing.T) {
	a := netip.MustParseAddr
	cfg := &lvscf.Config{Virtuals: []lvscf.Virtual{
		{ServiceCommon: lvscf.ServiceCommon{Name: "web", Port: 80}, Servers: []lvscf.Server{{Name: "rs1", Address: a("10.0.1.1")}, {Name: "rs2", Address: a("10.0.1.2")}}},
		{ServiceCommon: lvscf.ServiceCommon{Name: "tls", Port: 443}, Servers: []lvscf.Server{{Name: "rs1", Address: a("10.0.1.1")}, {Name: "alt", Address: a("10.0.1.1"), Port: 8443}}},
		{ServiceCommon: lvscf.ServiceCommon{Name: "10.0.1.2", Port: 25}, Servers: []lvscf.Server{{Name: "m", Address: a("10.0.2.1")}}},
	}}
	for target, want := range map[string]string{
		"web/rs1":       "web/rs1",
		"tls/alt":       "tls/alt",
		"web":           "web/rs1 web/rs2",
		"10.0.1.1":      "web/rs1 tls/rs1 tls/alt",
		"10.0.1.1:443":  "tls/rs1",
		"10.0.1.1:8443": "tls/alt",
		"10.0.1.2":      "10.0.1.2/m", // a virtual's name first
		"10.0.1.2:80":   "web/rs2",
		"web/nosuch":    `error: virtual server "web" has no real server named "nosuch"`,
		"mail/rs1":      `error: no virtual server named "mail"`,
		"mail":          "error: \"mail\" is neither",
		"10.9.9.9":      "error: no real server on 10.9.9.9 in",
	} {
		refs, err := resolveTarget(cfg, target)
		var got []string
		for _, r := range refs {
			got = append(got, r.v.Name+"/"+r.s.Name)
		}
		g := strings.Join(got, " ")
		if err != nil {
			g = "error: " + err.Error()
		}
		if !strings.HasPrefix(g, want) {
			t.Errorf("%s: %s, want %s", target, g, want)
		}
	}
}
