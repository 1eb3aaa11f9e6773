package daemon

import (
	"os"
	"testing"

	"github.com/lvsadm/lvsadm/daemon/bgp"
	"github.com/lvsadm/lvsadm/daemon/bgp/gobgpengine"
)

// testBGPHelperEnv, set in the environment, makes the test binary the BGP
// helper (lvsadm-bgp) for the daemons the tests start. It is checked in
// init so that it wins over any TestMain.
const testBGPHelperEnv = "LVSADM_BGP_TEST_HELPER"

func init() {
	if os.Getenv(testBGPHelperEnv) == "1" {
		os.Exit(gobgpengine.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
}

// useTestBGPHelper runs the BGP helper of the daemons t starts from this
// test binary: the real helper code, without building lvsadm-bgp.
func useTestBGPHelper(t *testing.T) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(bgp.HelperEnv, exe)
	t.Setenv(testBGPHelperEnv, "1")
}
