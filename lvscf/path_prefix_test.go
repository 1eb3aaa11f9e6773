package lvscf

import "testing"

// TestBlockPrefix: the shortcut for plain names gives what Path.String
// gives (the digest of every director depends on it).
func TestBlockPrefix(t *testing.T) {
	for _, kind := range []BlockKind{BlockVirtual, BlockServer, BlockFailover, BlockBGP} {
		for _, block := range []string{"www", "", "a.b", "x[1]"} {
			for _, server := range []string{"rs1", "", "s.1"} {
				want := Path{Kind: kind, Block: block, Server: server, Key: "k"}.String()
				if got := blockPrefix(kind, block, server) + "k"; got != want {
					t.Errorf("blockPrefix(%v, %q, %q) + key = %q, want %q", kind, block, server, got, want)
				}
			}
		}
	}
}
