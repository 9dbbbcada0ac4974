package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// txn is one pgbench transaction from a per-transaction log.
type txn struct {
	start, end float64 // Unix seconds
	lat        float64 // ms
	failed     bool
}

// readLogs reads pgbench_log.* files in dir. Lines are
// "client txno latency_us script epoch us"; a failed transaction has
// "failed" instead of the latency.
func readLogs(dir string) ([]txn, error) {
	files, err := filepath.Glob(filepath.Join(dir, "pgbench_log.*"))
	if err != nil {
		return nil, err
	}
	var out []txn
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			p := strings.Fields(sc.Text())
			if len(p) < 6 {
				continue
			}
			sec, _ := strconv.ParseFloat(p[4], 64)
			us, _ := strconv.ParseFloat(p[5], 64)
			end := sec + us/1e6
			lat, err := strconv.ParseFloat(p[2], 64)
			if err != nil {
				out = append(out, txn{start: end, end: end, failed: true})
				continue
			}
			out = append(out, txn{start: end - lat/1e6, end: end, lat: lat / 1000})
		}
		fh.Close()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].end < out[j].end })
	return out, nil
}

// window is a measured interval of a run.
type window struct {
	name   string
	t0, t1 float64
	note   string
}

type stats struct {
	txns, failed      int
	preMax, preP99    float64
	during, duringP99 float64
	tpsPre, tpsDuring float64
	gap               float64
	clientErrors      int
}

func analyze(ts []txn, out string, first float64, w window) stats {
	var s stats
	var pre, dur []float64
	for _, t := range ts {
		s.txns++
		if t.failed {
			s.failed++
			continue
		}
		if t.end < first && t.start > 0 {
			pre = append(pre, t.lat)
		}
		if t.start <= w.t1 && t.end >= w.t0 {
			dur = append(dur, t.lat)
		}
	}
	s.preMax, s.preP99 = maxP99(pre)
	s.during, s.duringP99 = maxP99(dur)
	if len(ts) > 0 {
		startAll := ts[0].end
		s.tpsPre = float64(len(pre)) / math.Max(1e-9, first-startAll)
	}
	n := 0
	for _, t := range ts {
		if !t.failed && t.end >= w.t0 && t.end <= w.t1 {
			n++
		}
	}
	s.tpsDuring = float64(n) / math.Max(1e-9, w.t1-w.t0)
	for i := 1; i < len(ts); i++ {
		if ts[i].end >= w.t0-1 && ts[i].end <= w.t1+1 {
			s.gap = math.Max(s.gap, ts[i].end-ts[i-1].end)
		}
	}
	s.clientErrors = len(regexp.MustCompile(`(?m)ERROR|aborted`).FindAllString(out, -1))
	if m := regexp.MustCompile(`number of failed transactions: (\d+)`).FindStringSubmatch(out); m != nil {
		f, _ := strconv.Atoi(m[1])
		s.failed += f
	}
	return s
}

func maxP99(v []float64) (float64, float64) {
	if len(v) == 0 {
		return 0, 0
	}
	sort.Float64s(v)
	return v[len(v)-1], v[min(len(v)-1, int(0.99*float64(len(v))))]
}

func (s stats) String() string {
	return fmt.Sprintf("txns=%d failed=%d client_errors=%d pre_max_ms=%.1f pre_p99_ms=%.1f max_during_ms=%.1f p99_during_ms=%.1f tps_pre=%.0f tps_during=%.0f max_gap_s=%.2f",
		s.txns, s.failed, s.clientErrors, s.preMax, s.preP99, s.during, s.duringP99, s.tpsPre, s.tpsDuring, s.gap)
}
