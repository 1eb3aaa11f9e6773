package health

import (
	"os"
	"strconv"
	"testing"
)

// listenersEnv asks the test binary to serve loopback listeners instead of
// running tests (TestMain), for the connect benchmarks.
const listenersEnv = "HEALTH_BENCH_LISTENERS"

func TestMain(m *testing.M) {
	if n, err := strconv.Atoi(os.Getenv(listenersEnv)); err == nil {
		os.Exit(serveListeners(n))
	}
	os.Exit(m.Run())
}
