// Command connhold is the ECMP lab's traffic (internal/connhold): an echo
// server for the real servers, a client that holds long-lived connections
// through a VIP and reports every broken one as JSON, and a checked bulk
// download. It runs inside the lab VM (testdata/vm/vmtest.sh ships it as
// /work/connhold).
//
//	connhold serve -name rs1 -port 7
//	connhold hold -target 192.0.2.10:7 -n 1000 -interval 100ms -duration 30s -ready /tmp/ready
//	connhold get -target 192.0.2.10:7 -bytes 20M -rate 2M
//
// hold and get print their report on stdout and exit 1 if any connection
// failed to open or broke (or the download is short), 2 on bad usage.
// hold stops on SIGTERM or SIGINT as at the end of -duration.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/lvsadm/lvsadm/internal/connhold"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	var code int
	switch os.Args[1] {
	case "serve":
		code = serve(ctx, os.Args[2:])
	case "hold":
		code = hold(ctx, os.Args[2:])
	case "get":
		code = get(ctx, os.Args[2:])
	default:
		usage()
	}
	os.Exit(code)
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: connhold serve|hold|get [flags] (connhold CMD -h for the flags)")
	os.Exit(2)
}

func serve(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	name := fs.String("name", "", "the name every answer starts with (required)")
	addr := fs.String("addr", "", "address to listen on (default: all)")
	port := fs.Int("port", 7, "TCP port to listen on")
	fs.Parse(args)
	if *name == "" {
		fmt.Fprintln(os.Stderr, "connhold serve: -name is required")
		return 2
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(*addr, strconv.Itoa(*port)))
	if err != nil {
		fmt.Fprintln(os.Stderr, "connhold serve:", err)
		return 1
	}
	if err := connhold.Serve(ctx, ln, *name); err != nil {
		fmt.Fprintln(os.Stderr, "connhold serve:", err)
		return 1
	}
	return 0
}

func hold(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("hold", flag.ExitOnError)
	target := fs.String("target", "", "VIP:PORT (required)")
	n := fs.Int("n", 100, "connections to hold")
	interval := fs.Duration("interval", 100*time.Millisecond, "time between two exchanges on one connection")
	timeout := fs.Duration("timeout", 10*time.Second, "bound of one dial and one exchange; past it the connection counts as timed out")
	duration := fs.Duration("duration", 0, "stop after this long (0: until SIGTERM or SIGINT)")
	parallel := fs.Int("parallel", 32, "dials in flight at once")
	ready := fs.String("ready", "", "file to write (the report so far) once every connection has had its first exchange or failed")
	fs.Parse(args)
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	o := connhold.HoldOptions{Target: *target, Conns: *n, Interval: *interval, Timeout: *timeout, DialParallel: *parallel}
	if *ready != "" {
		o.Ready = func(r connhold.Report) {
			b, _ := json.Marshal(r)
			tmp := *ready + ".tmp"
			err := os.WriteFile(tmp, append(b, '\n'), 0o644)
			if err == nil {
				err = os.Rename(tmp, *ready)
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, "connhold hold: ready file:", err)
			}
		}
	}
	rep, err := connhold.Hold(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "connhold hold:", err)
		return 2
	}
	printJSON(rep)
	if rep.Broken() > 0 {
		return 1
	}
	return 0
}

func get(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("get", flag.ExitOnError)
	target := fs.String("target", "", "VIP:PORT (required)")
	size := fs.String("bytes", "20M", "bytes to download (K, M, G suffixes)")
	rate := fs.String("rate", "0", "bytes a second the server sends (K, M, G suffixes; 0: as fast as it can)")
	idle := fs.Duration("timeout", 10*time.Second, "longest wait for the connection or for any data")
	fs.Parse(args)
	n, err := connhold.ParseSize(*size)
	if err != nil {
		fmt.Fprintln(os.Stderr, "connhold get: -bytes:", err)
		return 2
	}
	r, err := connhold.ParseSize(*rate)
	if err != nil {
		fmt.Fprintln(os.Stderr, "connhold get: -rate:", err)
		return 2
	}
	rep, err := connhold.Get(ctx, *target, n, r, *idle)
	if err != nil {
		fmt.Fprintln(os.Stderr, "connhold get:", err)
		return 2
	}
	printJSON(rep)
	if !rep.OK() {
		return 1
	}
	return 0
}

func printJSON(v any) {
	b, _ := json.Marshal(v)
	fmt.Println(string(b))
}
