package ipvsadm

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestCheckRules(t *testing.T) {
	src := `-A -t 10.0.0.1:80 -s rr
-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 2
-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m
-A -t 10.0.0.1:80 -s wlc
-A -t 10.0.0.2:80 -s nosuch
-a -t 10.0.0.1:80 -r 10.0.1.2:80 -m -w x

# a comment
-C
-A -t 10.0.0.1:80 -s rr
-Q
`
	bad, err := CheckRules(context.Background(), strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []LineError{
		{3, "real server 10.0.1.1:80 already added at line 2"},
		{4, "service -t 10.0.0.1:80 already added at line 1"},
		{6, "illegal weight specified"},
		{8, "not an ipvsadm command line"},
		{11, "not an ipvsadm command line"},
	}
	if len(bad) != len(want) {
		t.Fatalf("got %d bad lines %+v, want %+v", len(bad), bad, want)
	}
	for i := range want {
		if bad[i].Line != want[i].Line || !strings.Contains(bad[i].Msg, want[i].Msg) {
			t.Errorf("bad[%d] = %+v, want %+v", i, bad[i], want[i])
		}
	}
}

func TestApplyRulesStopsAtFirstFailure(t *testing.T) {
	k := newFakeKernel()
	src := "-A -t 10.0.0.1:80 -s rr\n-A -t 10.0.0.1:80 -s rr\n-A -t 10.0.0.2:80 -s rr\n"
	var out, errb bytes.Buffer
	failed := ApplyRules(context.Background(), k, strings.NewReader(src), &out, &errb)
	if failed != 2 {
		t.Errorf("failed at line %d, want 2", failed)
	}
	if errb.String() != "Service already exists\n" {
		t.Errorf("stderr %q", errb.String())
	}
	if len(k.Table()) != 1 {
		t.Errorf("%d services in the table, want 1 (line 3 must not run)", len(k.Table()))
	}
	if f := ApplyRules(context.Background(), newFakeKernel(), strings.NewReader("-A -t 10.0.0.1:80\n\n-a -t 10.0.0.1:80 -r 10.0.1.1 -m\n"), &out, &errb); f != 0 {
		t.Errorf("clean rules failed at line %d", f)
	}
}
