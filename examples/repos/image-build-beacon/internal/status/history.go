// Package status keeps the recent results of every target and answers what a status page asks:
// the current state, uptime over the kept window, latency percentiles, and state changes.
package status

import (
	"sort"
	"sync"
	"time"

	"github.com/example-org/beacon/internal/probe"
)

// Ring holds the last N results of one target.
type Ring struct {
	buf  []probe.Result
	next int
	full bool
}

// NewRing makes a ring for n results.
func NewRing(n int) *Ring { return &Ring{buf: make([]probe.Result, n)} }

// Add stores r, dropping the oldest result when full.
func (r *Ring) Add(res probe.Result) {
	r.buf[r.next] = res
	r.next = (r.next + 1) % len(r.buf)
	if r.next == 0 {
		r.full = true
	}
}

// All returns the results oldest first.
func (r *Ring) All() []probe.Result {
	if !r.full {
		return append([]probe.Result(nil), r.buf[:r.next]...)
	}
	out := make([]probe.Result, 0, len(r.buf))
	out = append(out, r.buf[r.next:]...)
	return append(out, r.buf[:r.next]...)
}

// Len is how many results are held.
func (r *Ring) Len() int {
	if r.full {
		return len(r.buf)
	}
	return r.next
}

// Board is every target's ring, safe for concurrent probes and readers.
type Board struct {
	mu    sync.RWMutex
	keep  int
	rings map[string]*Ring
	order []string
}

// NewBoard keeps `keep` results per target.
func NewBoard(keep int, targets []string) *Board {
	b := &Board{keep: keep, rings: map[string]*Ring{}}
	for _, t := range targets {
		b.rings[t] = NewRing(keep)
		b.order = append(b.order, t)
	}
	return b
}

// Record stores a result (for an unknown target too: it is added at the end).
func (b *Board) Record(r probe.Result) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ring, ok := b.rings[r.Target]
	if !ok {
		ring = NewRing(b.keep)
		b.rings[r.Target] = ring
		b.order = append(b.order, r.Target)
	}
	ring.Add(r)
}

// Summary is what the page and the API show for one target.
type Summary struct {
	Target      string          `json:"target"`
	Current     probe.Outcome   `json:"current"`
	Since       time.Time       `json:"since"`
	Uptime      float64         `json:"uptime"`
	Samples     int             `json:"samples"`
	P50         time.Duration   `json:"p50Ns"`
	P95         time.Duration   `json:"p95Ns"`
	P99         time.Duration   `json:"p99Ns"`
	Last        *probe.Result   `json:"last,omitempty"`
	Transitions []Transition    `json:"transitions,omitempty"`
	Spark       []probe.Outcome `json:"spark,omitempty"`
}

// Transition is a change of state.
type Transition struct {
	At   time.Time     `json:"at"`
	From probe.Outcome `json:"from"`
	To   probe.Outcome `json:"to"`
}

// Summaries lists every target in configuration order.
func (b *Board) Summaries() []Summary {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make([]Summary, 0, len(b.order))
	for _, name := range b.order {
		out = append(out, Summarize(name, b.rings[name].All()))
	}
	return out
}

// Summarize computes one target's summary from its results, oldest first.
func Summarize(name string, results []probe.Result) Summary {
	s := Summary{Target: name, Current: probe.Down, Samples: len(results)}
	if len(results) == 0 {
		return s
	}
	last := results[len(results)-1]
	s.Last = &last
	s.Current = last.Outcome
	s.Since = results[0].At
	up := 0
	lat := make([]time.Duration, 0, len(results))
	for i, r := range results {
		switch r.Outcome {
		case probe.Up:
			up += 2
		case probe.Degraded:
			up++
		}
		if r.Outcome != probe.Down {
			lat = append(lat, r.Latency)
		}
		if i > 0 && results[i-1].Outcome != r.Outcome {
			s.Transitions = append(s.Transitions, Transition{At: r.At, From: results[i-1].Outcome, To: r.Outcome})
		}
	}
	for i := len(results) - 1; i >= 0; i-- {
		if results[i].Outcome != last.Outcome {
			s.Since = results[i+1].At
			break
		}
	}
	s.Uptime = float64(up) / float64(2*len(results))
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	s.P50, s.P95, s.P99 = percentile(lat, 50), percentile(lat, 95), percentile(lat, 99)
	from := 0
	if len(results) > 30 {
		from = len(results) - 30
	}
	for _, r := range results[from:] {
		s.Spark = append(s.Spark, r.Outcome)
	}
	return s
}

// percentile of sorted durations, nearest-rank.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

// Overall is the worst current state of all targets.
func Overall(list []Summary) probe.Outcome {
	worst := probe.Up
	for _, s := range list {
		switch {
		case s.Current == probe.Down:
			return probe.Down
		case s.Current == probe.Degraded:
			worst = probe.Degraded
		}
	}
	return worst
}
