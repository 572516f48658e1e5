// Package metrics writes the Prometheus text exposition format (version 0.0.4) for the
// summaries, without a client library: a handful of gauges and one histogram.
package metrics

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/example-org/beacon/internal/config"
	"github.com/example-org/beacon/internal/probe"
	"github.com/example-org/beacon/internal/status"
)

// Buckets of the latency histogram, in seconds.
var Buckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Writer collects samples and writes them grouped by metric family.
type Writer struct {
	families map[string]*family
	order    []string
}

type family struct {
	help, kind string
	samples    []sample
}

type sample struct {
	suffix string
	labels [][2]string
	value  float64
}

// NewWriter is empty.
func NewWriter() *Writer { return &Writer{families: map[string]*family{}} }

func (w *Writer) declare(name, kind, help string) *family {
	f, ok := w.families[name]
	if !ok {
		f = &family{help: help, kind: kind}
		w.families[name] = f
		w.order = append(w.order, name)
	}
	return f
}

// Gauge adds one gauge sample.
func (w *Writer) Gauge(name, help string, value float64, labels ...[2]string) {
	f := w.declare(name, "gauge", help)
	f.samples = append(f.samples, sample{labels: labels, value: value})
}

// Histogram adds one histogram from raw observations (seconds).
func (w *Writer) Histogram(name, help string, obs []float64, labels ...[2]string) {
	f := w.declare(name, "histogram", help)
	sorted := append([]float64(nil), obs...)
	sort.Float64s(sorted)
	sum := 0.0
	for _, v := range sorted {
		sum += v
	}
	i := 0
	for _, b := range Buckets {
		for i < len(sorted) && sorted[i] <= b {
			i++
		}
		f.samples = append(f.samples, sample{suffix: "_bucket", labels: append(append([][2]string(nil), labels...), [2]string{"le", formatFloat(b)}), value: float64(i)})
	}
	f.samples = append(f.samples,
		sample{suffix: "_bucket", labels: append(append([][2]string(nil), labels...), [2]string{"le", "+Inf"}), value: float64(len(sorted))},
		sample{suffix: "_sum", labels: labels, value: sum},
		sample{suffix: "_count", labels: labels, value: float64(len(sorted))},
	)
}

// WriteTo writes every family in the order it was first declared.
func (w *Writer) WriteTo(out io.Writer) (int64, error) {
	bw := bufio.NewWriter(out)
	var n int64
	for _, name := range w.order {
		f := w.families[name]
		c, _ := fmt.Fprintf(bw, "# HELP %s %s\n# TYPE %s %s\n", name, escapeHelp(f.help), name, f.kind)
		n += int64(c)
		for _, s := range f.samples {
			c, _ = fmt.Fprintf(bw, "%s%s%s %s\n", name, s.suffix, formatLabels(s.labels), formatFloat(s.value))
			n += int64(c)
		}
	}
	return n, bw.Flush()
}

// FromSummaries builds the standard set: state, uptime, latency, certificate expiry.
func FromSummaries(cfg *config.Config, list []status.Summary, results map[string][]probe.Result, now time.Time) *Writer {
	w := NewWriter()
	labelKeys := cfg.LabelKeys()
	byName := map[string]config.Target{}
	for _, t := range cfg.Targets {
		byName[t.Name] = t
	}
	for _, s := range list {
		labels := [][2]string{{"target", s.Target}, {"kind", string(byName[s.Target].Kind)}}
		for _, k := range labelKeys {
			labels = append(labels, [2]string{sanitize(k), byName[s.Target].Labels[k]})
		}
		for _, o := range []probe.Outcome{probe.Up, probe.Degraded, probe.Down} {
			v := 0.0
			if s.Current == o {
				v = 1
			}
			w.Gauge("beacon_state", "1 for the target's current state.", v, append(append([][2]string(nil), labels...), [2]string{"state", string(o)})...)
		}
		w.Gauge("beacon_uptime_ratio", "Share of kept probes that were up (degraded counts half).", s.Uptime, labels...)
		w.Gauge("beacon_samples", "Probes kept for the target.", float64(s.Samples), labels...)
		var obs []float64
		for _, r := range results[s.Target] {
			if r.Outcome != probe.Down {
				obs = append(obs, r.Latency.Seconds())
			}
		}
		w.Histogram("beacon_latency_seconds", "Latency of successful probes.", obs, labels...)
		if s.Last != nil && s.Last.CertUntil != nil {
			w.Gauge("beacon_cert_expiry_seconds", "Seconds until the served certificate expires.", s.Last.CertUntil.Sub(now).Seconds(), labels...)
		}
	}
	return w
}

func formatLabels(labels [][2]string) string {
	if len(labels) == 0 {
		return ""
	}
	parts := make([]string, len(labels))
	for i, l := range labels {
		parts[i] = l[0] + `="` + escapeValue(l[1]) + `"`
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

var valueEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
var helpEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`)

func escapeValue(s string) string { return valueEscaper.Replace(s) }
func escapeHelp(s string) string  { return helpEscaper.Replace(s) }

// sanitize makes a label key a valid Prometheus label name.
func sanitize(k string) string {
	var b strings.Builder
	for i, r := range k {
		ok := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9')
		if ok {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return "label_" + b.String()
}
