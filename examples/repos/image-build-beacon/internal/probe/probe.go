// Package probe checks one target: an HTTP request with an expected status and body, a TCP
// connect, or a TLS handshake with the certificate's remaining validity.
package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/example-org/beacon/internal/config"
)

// Outcome is how a probe ended.
type Outcome string

const (
	Up       Outcome = "up"
	Degraded Outcome = "degraded"
	Down     Outcome = "down"
)

// Result is one probe of one target.
type Result struct {
	Target    string        `json:"target"`
	At        time.Time     `json:"at"`
	Outcome   Outcome       `json:"outcome"`
	Latency   time.Duration `json:"latencyNs"`
	Status    int           `json:"status,omitempty"`
	Detail    string        `json:"detail,omitempty"`
	CertUntil *time.Time    `json:"certUntil,omitempty"`
}

// Prober runs probes; its clock and dialer can be replaced in tests.
type Prober struct {
	Now    func() time.Time
	Dialer *net.Dialer
	// MaxBody is how much of a response body is read to look for ExpectBody.
	MaxBody int64
}

// New returns a Prober with real time and network.
func New() *Prober {
	return &Prober{Now: time.Now, Dialer: &net.Dialer{KeepAlive: -1}, MaxBody: 1 << 20}
}

// Probe checks t once, within its timeout.
func (p *Prober) Probe(ctx context.Context, t config.Target) Result {
	ctx, cancel := context.WithTimeout(ctx, t.Timeout.Duration)
	defer cancel()
	start := p.Now()
	var r Result
	switch t.Kind {
	case config.KindHTTP:
		r = p.http(ctx, t)
	case config.KindTCP:
		r = p.tcp(ctx, t)
	case config.KindTLS:
		r = p.tls(ctx, t)
	default:
		r = Result{Outcome: Down, Detail: fmt.Sprintf("unknown kind %q", t.Kind)}
	}
	r.Target = t.Name
	r.At = start
	r.Latency = p.Now().Sub(start)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && r.Outcome == Down && r.Detail == "" {
		r.Detail = "timed out after " + t.Timeout.Duration.String()
	}
	return r
}

func (p *Prober) tlsConfig(t config.Target, host string) *tls.Config {
	name := t.ServerName
	if name == "" {
		name = host
	}
	return &tls.Config{ServerName: name, InsecureSkipVerify: t.InsecureTLS, MinVersion: tls.VersionTLS12}
}

func (p *Prober) http(ctx context.Context, t config.Target) Result {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.Address, nil)
	if err != nil {
		return Result{Outcome: Down, Detail: err.Error()}
	}
	for k, v := range t.Headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("User-Agent", "beacon")
	transport := &http.Transport{
		DialContext:         p.Dialer.DialContext,
		TLSClientConfig:     p.tlsConfig(t, req.URL.Hostname()),
		DisableKeepAlives:   true,
		TLSHandshakeTimeout: t.Timeout.Duration,
	}
	client := &http.Client{Transport: transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return Result{Outcome: Down, Detail: describeNetError(err)}
	}
	defer resp.Body.Close()
	r := Result{Status: resp.StatusCode}
	if resp.TLS != nil && len(resp.TLS.PeerCertificates) > 0 {
		until := resp.TLS.PeerCertificates[0].NotAfter
		r.CertUntil = &until
	}
	if !contains(t.ExpectStatus, resp.StatusCode) {
		r.Outcome = Down
		r.Detail = fmt.Sprintf("status %d, expected %s", resp.StatusCode, joinInts(t.ExpectStatus))
		return r
	}
	if t.ExpectBody != "" {
		body, err := io.ReadAll(io.LimitReader(resp.Body, p.MaxBody))
		if err != nil {
			r.Outcome = Down
			r.Detail = "reading the body: " + err.Error()
			return r
		}
		if !strings.Contains(string(body), t.ExpectBody) {
			r.Outcome = Degraded
			r.Detail = fmt.Sprintf("body does not contain %q", t.ExpectBody)
			return r
		}
	}
	r.Outcome = Up
	return r
}

func (p *Prober) tcp(ctx context.Context, t config.Target) Result {
	conn, err := p.Dialer.DialContext(ctx, "tcp", t.Address)
	if err != nil {
		return Result{Outcome: Down, Detail: describeNetError(err)}
	}
	conn.Close()
	return Result{Outcome: Up}
}

func (p *Prober) tls(ctx context.Context, t config.Target) Result {
	host, _, err := net.SplitHostPort(t.Address)
	if err != nil {
		return Result{Outcome: Down, Detail: err.Error()}
	}
	d := &tls.Dialer{NetDialer: p.Dialer, Config: p.tlsConfig(t, host)}
	conn, err := d.DialContext(ctx, "tcp", t.Address)
	if err != nil {
		return Result{Outcome: Down, Detail: describeNetError(err)}
	}
	defer conn.Close()
	state := conn.(*tls.Conn).ConnectionState()
	if len(state.PeerCertificates) == 0 {
		return Result{Outcome: Down, Detail: "the server sent no certificate"}
	}
	leaf := state.PeerCertificates[0]
	until := leaf.NotAfter
	r := Result{Outcome: Up, CertUntil: &until, Detail: describeCert(leaf, state.Version)}
	if left := until.Sub(p.Now()); left < t.CertWarnBefore.Duration {
		r.Outcome = Degraded
		r.Detail = fmt.Sprintf("certificate expires in %s (%s)", roundDays(left), until.Format(time.RFC3339))
	}
	return r
}

func describeCert(c *x509.Certificate, version uint16) string {
	names := c.DNSNames
	if len(names) > 3 {
		names = append(names[:3:3], fmt.Sprintf("+%d", len(c.DNSNames)-3))
	}
	return fmt.Sprintf("%s, %s, issued by %s", tlsVersion(version), strings.Join(names, " "), c.Issuer.CommonName)
}

func tlsVersion(v uint16) string {
	switch v {
	case tls.VersionTLS10:
		return "TLS 1.0"
	case tls.VersionTLS11:
		return "TLS 1.1"
	case tls.VersionTLS12:
		return "TLS 1.2"
	case tls.VersionTLS13:
		return "TLS 1.3"
	}
	return fmt.Sprintf("TLS 0x%04x", v)
}

func roundDays(d time.Duration) string {
	if d < 48*time.Hour {
		return d.Round(time.Minute).String()
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

func describeNetError(err error) string {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return "name not resolved: " + dns.Name
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return "connection refused or unreachable: " + op.Err.Error()
	}
	var cert x509.UnknownAuthorityError
	if errors.As(err, &cert) {
		return "certificate signed by an unknown authority"
	}
	var host x509.HostnameError
	if errors.As(err, &host) {
		return "certificate is not valid for " + host.Host
	}
	return err.Error()
}

func contains(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func joinInts(list []int) string {
	parts := make([]string, len(list))
	for i, v := range list {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, " or ")
}
