// Command ntatlas-loopback measures loopback TCP throughput and send calls per second for a few
// message sizes and prints JSON that the NT Atlas socket-path lab imports
// ("ntatlas lab sockpath --measurement FILE", or paste it into /tools/socket-path).
//
// It only ever connects to a listener it opens itself on 127.0.0.1, sends for a bounded time per
// size, and needs only the standard library plus the lab's pure measurement types, so it builds for
// Windows, Linux and macOS:
//
//	ntatlas-loopback [-sizes 64,1024,16384,65536] [-duration 500ms] > measurement.json
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"ntatlas/internal/labs/sockpath"
)

// The report is sockpath.Measurement itself, so the lab always reads what this program writes.
type (
	Report     = sockpath.Measurement
	SizeResult = sockpath.SizeResult
)

const (
	maxSize     = 16 << 20
	maxDuration = 10 * time.Second
)

func parseSizes(s string) ([]int, error) {
	var out []int
	seen := map[int]bool{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > maxSize {
			return nil, fmt.Errorf("size %q: want 1..%d bytes", f, maxSize)
		}
		if seen[n] {
			return nil, fmt.Errorf("size %d given twice", n)
		}
		seen[n] = true
		out = append(out, n)
	}
	if len(out) == 0 || len(out) > 32 {
		return nil, errors.New("give 1..32 sizes")
	}
	return out, nil
}

// measure sends size-byte messages over one loopback TCP connection for d and counts the
// Write calls that completed. The receiver drains everything, so the sender is never blocked by
// an idle peer; the bytes it read are checked against what was sent.
func measure(size int, d time.Duration) (SizeResult, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return SizeResult{}, err
	}
	defer ln.Close()
	type drained struct {
		n   int64
		err error
	}
	done := make(chan drained, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- drained{err: err}
			return
		}
		defer c.Close()
		n, err := io.CopyBuffer(io.Discard, c, make([]byte, 256<<10))
		done <- drained{n: n, err: err}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return SizeResult{}, err
	}
	buf := make([]byte, size)
	for i := range buf {
		buf[i] = byte(i)
	}
	var calls int64
	// reading the clock on every call would dominate tiny messages; check about every 64 KiB
	every := int64(max(1, 65536/size))
	start := time.Now()
	deadline := start.Add(d)
	for {
		if _, err := c.Write(buf); err != nil {
			c.Close()
			return SizeResult{}, err
		}
		calls++
		if calls%every == 0 && time.Now().After(deadline) {
			break
		}
	}
	elapsed := time.Since(start).Seconds()
	if err := c.Close(); err != nil {
		return SizeResult{}, err
	}
	select {
	case r := <-done:
		if r.err != nil {
			return SizeResult{}, r.err
		}
		if r.n != calls*int64(size) {
			return SizeResult{}, fmt.Errorf("receiver got %d bytes, sender wrote %d", r.n, calls*int64(size))
		}
	case <-time.After(10 * time.Second):
		return SizeResult{}, errors.New("receiver did not finish draining")
	}
	b := calls * int64(size)
	return SizeResult{MessageSize: int64(size), Calls: calls, Bytes: b, Seconds: elapsed,
		CallsPerSec: float64(calls) / elapsed, MiBPerSec: float64(b) / elapsed / (1 << 20)}, nil
}

func run(sizes []int, d time.Duration) (*Report, error) {
	r := &Report{Tool: sockpath.ToolName, Version: sockpath.ToolVersion, GOOS: runtime.GOOS, GOARCH: runtime.GOARCH,
		GoVersion: runtime.Version(), NumCPU: runtime.NumCPU(), DurationMsPerSize: d.Milliseconds()}
	for _, s := range sizes {
		res, err := measure(s, d)
		if err != nil {
			return nil, fmt.Errorf("size %d: %w", s, err)
		}
		r.Results = append(r.Results, res)
	}
	return r, nil
}

func main() {
	os.Exit(mainErr(os.Args[1:], os.Stdout, os.Stderr))
}

func mainErr(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ntatlas-loopback", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("sizes", "64,1024,16384,65536", "comma-separated message sizes in bytes")
	dur := fs.Duration("duration", 500*time.Millisecond, "sending time per size (at most 10s)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *dur <= 0 || *dur > maxDuration {
		fmt.Fprintln(stderr, "error: -duration must be in (0, 10s]")
		return 2
	}
	sz, err := parseSizes(*sizes)
	if err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 2
	}
	rep, err := run(sz, *dur)
	if err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 1
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 1
	}
	return 0
}
