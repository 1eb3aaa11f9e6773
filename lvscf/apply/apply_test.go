package apply

import (
	"errors"
	"os"
	"testing"
)

func TestPrepareRefusesLintErrors(t *testing.T) {
	_, err := Prepare("x.cf", []byte("service = lvs\n")) // no primary
	var r *RefusedError
	if !errors.As(err, &r) || len(r.Diags) == 0 {
		t.Fatalf("Prepare = %v, want a *RefusedError with diagnostics", err)
	}
}

func TestPrepareCorpus(t *testing.T) {
	src, err := os.ReadFile("../../testdata/lvscf/corpus/04-http-four-servers-one-inactive.cf")
	if err != nil {
		t.Fatal(err)
	}
	tg, err := Prepare("04.cf", src)
	if err != nil {
		t.Fatal(err)
	}
	if len(tg.Desired) != 1 || len(tg.Desired[0].Destinations) != 3 {
		t.Fatalf("Desired = %+v, want one service with its three active servers", tg.Desired)
	}
}
