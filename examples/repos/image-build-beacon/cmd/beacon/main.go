// beacon watches HTTP, TCP and TLS endpoints and serves a status page, a JSON API and
// Prometheus metrics. An example program of the image-build-migrator project (stdlib only).
//
//	beacon --version
//	beacon check  -config targets.ini           probe every target once, exit 1 if any is down
//	beacon serve  -config targets.ini [-tls]    probe on each target's interval and serve the page
//	beacon render -config targets.ini -format html|text|json   probe once, print the page
//	beacon export -config targets.ini -state FILE -format csv|csv.gz|tar.gz|zip   write kept results
//	beacon match  -rule RULE < body               check a body against a rule (re:, json:, substring)
//
// serve also takes -state FILE (results kept across restarts), -alert-webhook URL with
// -alert-secret, -alert-smtp HOST:PORT with -alert-from/-alert-to, and -admin-allow CIDRs for
// /debug/ (counters, profiles, a proxy to HTTP targets); it publishes state changes at /feed.atom.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/example-org/beacon/internal/admin"
	"github.com/example-org/beacon/internal/alert"
	"github.com/example-org/beacon/internal/config"
	"github.com/example-org/beacon/internal/export"
	"github.com/example-org/beacon/internal/feed"
	"github.com/example-org/beacon/internal/match"
	"github.com/example-org/beacon/internal/metrics"
	"github.com/example-org/beacon/internal/probe"
	"github.com/example-org/beacon/internal/render"
	"github.com/example-org/beacon/internal/status"
	"github.com/example-org/beacon/internal/store"
	"github.com/example-org/beacon/internal/version"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "--version", "-version", "version":
		fmt.Fprintln(stdout, version.String())
		return 0
	case "check":
		return cmdCheck(args[1:], stdout, stderr)
	case "serve":
		return cmdServe(args[1:], stderr)
	case "render":
		return cmdRender(args[1:], stdout, stderr)
	case "export":
		return cmdExport(args[1:], stdout, stderr)
	case "match":
		return cmdMatch(args[1:], os.Stdin, stdout, stderr)
	case "-h", "--help", "help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "beacon: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: beacon --version | check -config FILE | serve -config FILE [-tls] [-state FILE] [-alert-...] | render -config FILE [-format html|text|json] | export -state FILE [-format csv|csv.gz|tar.gz|zip] | match -rule RULE")
}

func loadConfig(fs *flag.FlagSet, args []string, stderr io.Writer) (*config.Config, bool) {
	path := fs.String("config", "beacon.ini", "configuration file (.ini or .json)")
	if err := fs.Parse(args); err != nil {
		return nil, false
	}
	cfg, err := config.Load(*path)
	if err != nil {
		fmt.Fprintln(stderr, "beacon:", err)
		return nil, false
	}
	return cfg, true
}

// probeAll probes every target once, concurrently.
func probeAll(ctx context.Context, p *probe.Prober, cfg *config.Config) []probe.Result {
	out := make([]probe.Result, len(cfg.Targets))
	var wg sync.WaitGroup
	for i, t := range cfg.Targets {
		wg.Add(1)
		go func(i int, t config.Target) {
			defer wg.Done()
			out[i] = p.Probe(ctx, t)
		}(i, t)
	}
	wg.Wait()
	return out
}

func cmdCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, ok := loadConfig(fs, args, stderr)
	if !ok {
		return 2
	}
	code := 0
	for _, r := range probeAll(context.Background(), probe.New(), cfg) {
		fmt.Fprintf(stdout, "%-20s %-9s %8.1f ms  %s\n", r.Target, r.Outcome, float64(r.Latency)/float64(time.Millisecond), r.Detail)
		if r.Outcome == probe.Down {
			code = 1
		}
	}
	return code
}

func cmdRender(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "html, text or json")
	cfg, ok := loadConfig(fs, args, stderr)
	if !ok {
		return 2
	}
	board := status.NewBoard(cfg.Keep, cfg.Names())
	for _, r := range probeAll(context.Background(), probe.New(), cfg) {
		board.Record(r)
	}
	page := pageOf(cfg, board)
	var err error
	switch *format {
	case "html":
		err = render.HTML(stdout, page)
	case "text":
		err = render.Text(stdout, page)
	case "json":
		err = render.JSON(stdout, page)
	default:
		fmt.Fprintf(stderr, "beacon: unknown format %q (html, text or json)\n", *format)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "beacon:", err)
		return 1
	}
	return 0
}

func pageOf(cfg *config.Config, board *status.Board) render.Page {
	list := board.Summaries()
	return render.Page{Title: cfg.Title, Generated: time.Now(), Overall: status.Overall(list), Targets: list}
}

// server holds what the HTTP handlers read.
type server struct {
	cfg      *config.Config
	board    *status.Board
	mu       sync.Mutex
	results  map[string][]probe.Result
	logger   *log.Logger
	tracker  *alert.Tracker
	notifier alert.Notifier
	events   *feed.Log
	counters *admin.Counters
}

func (s *server) record(r probe.Result) {
	s.board.Record(r)
	s.counters.Probes.Add(r.Target, 1)
	s.mu.Lock()
	list := append(s.results[r.Target], r)
	if len(list) > s.cfg.Keep {
		list = list[len(list)-s.cfg.Keep:]
	}
	s.results[r.Target] = list
	e, changed := s.tracker.Observe(r)
	if changed {
		s.events.Add(e)
	}
	s.mu.Unlock()
	if changed && s.notifier != nil {
		s.counters.Alerts.Add(1)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.notifier.Notify(ctx, e); err != nil {
			s.counters.Failures.Add(1)
			s.logger.Printf("alert for %s: %v", e.Target, err)
		}
	}
}

func (s *server) snapshot() map[string][]probe.Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string][]probe.Result, len(s.results))
	for k, v := range s.results {
		out[k] = append([]probe.Result(nil), v...)
	}
	return out
}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := render.HTML(w, pageOf(s.cfg, s.board)); err != nil {
			s.logger.Printf("page: %v", err)
		}
	})
	mux.HandleFunc("/api/status", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if err := render.JSON(w, pageOf(s.cfg, s.board)); err != nil {
			s.logger.Printf("api: %v", err)
		}
	})
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		m := metrics.FromSummaries(s.cfg, s.board.Summaries(), s.snapshot(), time.Now())
		if _, err := m.WriteTo(w); err != nil {
			s.logger.Printf("metrics: %v", err)
		}
	})
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/feed.atom", func(w http.ResponseWriter, r *http.Request) {
		base := &url.URL{Scheme: "http", Host: r.Host, Path: "/"}
		if r.TLS != nil {
			base.Scheme = "https"
		}
		s.mu.Lock()
		events := s.events.Events()
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/atom+xml")
		if err := feed.Write(w, s.cfg.Title, base, events, time.Now()); err != nil {
			s.logger.Printf("feed: %v", err)
		}
	})
	mux.HandleFunc("/export/", func(w http.ResponseWriter, r *http.Request) {
		f := export.Format(strings.TrimPrefix(r.URL.Path, "/export/results."))
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", "results."+string(f)))
		if err := export.Write(w, f, s.snapshot(), time.Now()); err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
		}
	})
	return logRequests(s.logger, mux)
}

func logRequests(l *log.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		l.Printf("%s %s %d %s", r.Method, r.URL.Path, rec.status, time.Since(start).Round(time.Microsecond))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func cmdServe(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	useTLS := fs.Bool("tls", false, "serve HTTPS with a self-signed certificate made at start")
	statePath := fs.String("state", "", "keep results across restarts in this file")
	webhook := fs.String("alert-webhook", "", "POST state changes as JSON to this URL")
	secret := fs.String("alert-secret", "", "sign webhook bodies with HMAC-SHA256 and this secret")
	smtpAddr := fs.String("alert-smtp", "", "mail state changes through this SMTP server (host:port)")
	from := fs.String("alert-from", "beacon@localhost", "mail sender")
	to := fs.String("alert-to", "", "mail recipients, comma-separated")
	allowAdmin := fs.String("admin-allow", "127.0.0.1, ::1", "addresses and networks allowed to reach /debug/")
	cfg, ok := loadConfig(fs, args, stderr)
	if !ok {
		return 2
	}
	logger := log.New(stderr, "beacon: ", log.LstdFlags)
	allow, err := match.ParseAllowList(*allowAdmin)
	if err != nil {
		logger.Print(err)
		return 2
	}
	var notifiers alert.Fanout
	if *webhook != "" {
		notifiers = append(notifiers, &alert.Webhook{URL: *webhook, Secret: []byte(*secret)})
	}
	if *smtpAddr != "" {
		m := &alert.Mail{Addr: *smtpAddr, From: *from, To: strings.Split(*to, ",")}
		if err := m.Validate(); err != nil {
			logger.Printf("-alert-smtp: %v", err)
			return 2
		}
		notifiers = append(notifiers, m)
	}
	s := &server{cfg: cfg, board: status.NewBoard(cfg.Keep, cfg.Names()), results: map[string][]probe.Result{}, logger: logger,
		tracker: alert.NewTracker(), events: feed.NewLog(100), counters: admin.NewCounters()}
	if len(notifiers) > 0 {
		s.notifier = notifiers
	}
	if *statePath != "" {
		snap, err := store.Load(*statePath)
		if err != nil {
			logger.Printf("-state: %v", err)
			return 1
		}
		for _, list := range snap.Results {
			for _, r := range list {
				s.board.Record(r)
				s.tracker.Observe(r)
			}
		}
		s.results = snap.Results
		defer func() {
			if err := store.Save(*statePath, store.Snapshot{Saved: time.Now(), Results: s.snapshot()}); err != nil {
				logger.Printf("-state: %v", err)
			}
		}()
	}
	started := time.Now()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	p := probe.New()
	var wg sync.WaitGroup
	for _, t := range cfg.Targets {
		wg.Add(1)
		go func(t config.Target) {
			defer wg.Done()
			tick := time.NewTicker(t.Interval.Duration)
			defer tick.Stop()
			for {
				s.record(p.Probe(ctx, t))
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
			}
		}(t)
	}

	root := http.NewServeMux()
	root.Handle("/", s.routes())
	root.Handle("/debug/", admin.Handler(cfg, s.counters, allow, started))
	srv := &http.Server{Addr: cfg.Listen, Handler: root, ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		logger.Print(err)
		return 1
	}
	if *useTLS {
		cert, err := selfSigned(time.Now())
		if err != nil {
			logger.Print(err)
			return 1
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	}
	logger.Printf("%s listening on %s", version.String(), ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			logger.Print(err)
			return 1
		}
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	wg.Wait()
	return 0
}

// selfSigned makes a short-lived ECDSA certificate for localhost.
func selfSigned(now time.Time) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "beacon"},
		NotBefore:    now.Add(-time.Minute),
		NotAfter:     now.Add(7 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

func cmdExport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	statePath := fs.String("state", "beacon.state", "the file serve -state keeps")
	format := fs.String("format", "csv", "csv, csv.gz, tar.gz or zip")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	snap, err := store.Load(*statePath)
	if err != nil {
		fmt.Fprintln(stderr, "beacon:", err)
		return 1
	}
	if err := export.Write(stdout, export.Format(*format), snap.Results, time.Now()); err != nil {
		fmt.Fprintln(stderr, "beacon:", err)
		return 1
	}
	return 0
}

func cmdMatch(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("match", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rule := fs.String("rule", "", "re:EXPR, json:$.path == VALUE, or a substring")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	m, err := match.Parse(*rule)
	if err != nil {
		fmt.Fprintln(stderr, "beacon:", err)
		return 2
	}
	body, err := io.ReadAll(io.LimitReader(stdin, 16<<20))
	if err != nil {
		fmt.Fprintln(stderr, "beacon:", err)
		return 1
	}
	if ok, why := m.Match(body); !ok {
		fmt.Fprintf(stdout, "no match: %s\n", why)
		return 1
	}
	fmt.Fprintf(stdout, "match: %s\n", m)
	return 0
}
