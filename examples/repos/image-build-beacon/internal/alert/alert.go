// Package alert tells people when a target changes state: a signed JSON webhook, or a mail over
// SMTP (text and HTML parts). Transitions are found from the results as they arrive.
package alert

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"sync"
	"time"

	"github.com/example-org/beacon/internal/probe"
)

// Event is one state change of one target.
type Event struct {
	Target string        `json:"target"`
	From   probe.Outcome `json:"from"`
	To     probe.Outcome `json:"to"`
	At     time.Time     `json:"at"`
	Detail string        `json:"detail,omitempty"`
}

// Title is a one-line summary, for a mail subject or a chat message.
func (e Event) Title() string {
	return fmt.Sprintf("%s is %s (was %s)", e.Target, e.To, e.From)
}

// Notifier delivers events.
type Notifier interface {
	Notify(ctx context.Context, e Event) error
}

// Tracker remembers each target's last outcome and reports changes.
type Tracker struct {
	mu   sync.Mutex
	last map[string]probe.Outcome
}

// NewTracker starts with no known outcome: a target's first result is not a change.
func NewTracker() *Tracker { return &Tracker{last: map[string]probe.Outcome{}} }

// Observe returns the event r causes, if any.
func (t *Tracker) Observe(r probe.Result) (Event, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	prev, seen := t.last[r.Target]
	t.last[r.Target] = r.Outcome
	if !seen || prev == r.Outcome {
		return Event{}, false
	}
	return Event{Target: r.Target, From: prev, To: r.Outcome, At: r.At, Detail: r.Detail}, true
}

// Webhook posts events as JSON, signed with HMAC-SHA256 of the body in X-Beacon-Signature.
type Webhook struct {
	URL    string
	Secret []byte
	Client *http.Client
}

// Sign returns the signature header value for body.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a signature made by Sign, in constant time.
func Verify(secret, body []byte, signature string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(signature))
}

func (w *Webhook) Notify(ctx context.Context, e Event) error {
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if len(w.Secret) > 0 {
		req.Header.Set("X-Beacon-Signature", Sign(w.Secret, body))
	}
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("webhook %s answered %s", w.URL, resp.Status)
	}
	return nil
}

// Mail sends events over SMTP, with STARTTLS when the server offers it.
type Mail struct {
	Addr string // host:port
	From string
	To   []string
	Auth smtp.Auth
}

// Validate checks the addresses before the first event needs them.
func (m *Mail) Validate() error {
	if _, _, err := net.SplitHostPort(m.Addr); err != nil {
		return fmt.Errorf("smtp address %q: %v", m.Addr, err)
	}
	if _, err := mail.ParseAddress(m.From); err != nil {
		return fmt.Errorf("from %q: %v", m.From, err)
	}
	if len(m.To) == 0 {
		return errors.New("no recipient")
	}
	for _, to := range m.To {
		if _, err := mail.ParseAddress(to); err != nil {
			return fmt.Errorf("to %q: %v", to, err)
		}
	}
	return nil
}

// Message renders the mail: headers, then a multipart/alternative text and HTML body.
func (m *Mail) Message(e Event) ([]byte, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	text := fmt.Sprintf("%s\n\nAt: %s\nDetail: %s\n", e.Title(), e.At.UTC().Format(time.RFC1123), e.Detail)
	page := fmt.Sprintf("<p><b>%s</b></p><p>At: %s<br>Detail: %s</p>", html.EscapeString(e.Title()), e.At.UTC().Format(time.RFC1123), html.EscapeString(e.Detail))
	for _, part := range []struct{ kind, content string }{{"text/plain", text}, {"text/html", page}} {
		h := textproto.MIMEHeader{}
		h.Set("Content-Type", part.kind+"; charset=utf-8")
		h.Set("Content-Transfer-Encoding", "8bit")
		w, err := mw.CreatePart(h)
		if err != nil {
			return nil, err
		}
		io.WriteString(w, part.content)
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	var msg bytes.Buffer
	fmt.Fprintf(&msg, "From: %s\r\n", m.From)
	fmt.Fprintf(&msg, "To: %s\r\n", strings.Join(m.To, ", "))
	fmt.Fprintf(&msg, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", "[beacon] "+e.Title()))
	fmt.Fprintf(&msg, "Date: %s\r\n", e.At.Format(time.RFC1123Z))
	fmt.Fprintf(&msg, "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=%s\r\n\r\n", mw.Boundary())
	msg.Write(body.Bytes())
	return msg.Bytes(), nil
}

func (m *Mail) Notify(ctx context.Context, e Event) error {
	msg, err := m.Message(e)
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- smtp.SendMail(m.Addr, m.Auth, m.From, m.To, msg) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Fanout sends each event to every notifier and joins their errors.
type Fanout []Notifier

func (f Fanout) Notify(ctx context.Context, e Event) error {
	var msgs []string
	for _, n := range f {
		if err := n.Notify(ctx, e); err != nil {
			msgs = append(msgs, err.Error())
		}
	}
	if len(msgs) > 0 {
		return errors.New(strings.Join(msgs, "; "))
	}
	return nil
}
