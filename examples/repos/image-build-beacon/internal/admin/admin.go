// Package admin serves the operator's side of beacon on its own mux: counters (expvar), the Go
// profiler (net/http/pprof), an HTML overview, and a reverse proxy to a target's address for
// debugging from inside the cluster. Only addresses of the allow-list reach it.
package admin

import (
	"embed"
	"expvar"
	"html/template"
	"net/http"
	"net/http/httputil"
	"net/http/pprof"
	"net/url"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/example-org/beacon/internal/config"
	"github.com/example-org/beacon/internal/match"
	"github.com/example-org/beacon/internal/version"
)

//go:embed overview.html
var assets embed.FS

var overview = template.Must(template.New("overview.html").Funcs(template.FuncMap{
	"since": func(t time.Time) string { return time.Since(t).Round(time.Second).String() },
}).ParseFS(assets, "overview.html"))

// Counters are the expvar counters the probes and handlers update.
type Counters struct {
	Probes   *expvar.Map
	Alerts   *expvar.Int
	Failures *expvar.Int
}

// NewCounters publishes the counters under "beacon".
func NewCounters() *Counters {
	c := &Counters{Probes: new(expvar.Map).Init(), Alerts: new(expvar.Int), Failures: new(expvar.Int)}
	m := new(expvar.Map).Init()
	m.Set("probes", c.Probes)
	m.Set("alerts", c.Alerts)
	m.Set("alert_failures", c.Failures)
	if expvar.Get("beacon") == nil {
		expvar.Publish("beacon", m)
	}
	return c
}

type overviewData struct {
	Version    string
	Started    time.Time
	Goroutines int
	Targets    []config.Target
	Counters   map[string]string
}

// Handler returns the admin mux under /debug/.
func Handler(cfg *config.Config, counters *Counters, allow match.AllowList, started time.Time) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/", func(w http.ResponseWriter, r *http.Request) {
		data := overviewData{Version: version.String(), Started: started, Goroutines: runtime.NumGoroutine(), Targets: cfg.Targets, Counters: map[string]string{}}
		counters.Probes.Do(func(kv expvar.KeyValue) { data.Counters[kv.Key] = kv.Value.String() })
		sort.Slice(data.Targets, func(i, j int) bool { return data.Targets[i].Name < data.Targets[j].Name })
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		overview.Execute(w, data)
	})
	mux.Handle("/debug/vars", expvar.Handler())
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/proxy/", func(w http.ResponseWriter, r *http.Request) {
		name := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/debug/proxy/"), "/", 2)[0]
		for _, t := range cfg.Targets {
			if t.Name != name || t.Kind != config.KindHTTP {
				continue
			}
			target, err := url.Parse(t.Address)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			proxy := httputil.NewSingleHostReverseProxy(target)
			r.URL.Path = "/" + strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/debug/proxy/"+name), "/")
			proxy.ServeHTTP(w, r)
			return
		}
		http.Error(w, "no HTTP target "+name, http.StatusNotFound)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !allow.Allows(r.RemoteAddr) {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		mux.ServeHTTP(w, r)
	})
}
