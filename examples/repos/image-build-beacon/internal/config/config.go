// Package config reads beacon's configuration: a small INI-like file listing the targets to
// probe, or the same as JSON. Errors name the file, the line and what is wrong.
package config

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Kind is how a target is probed.
type Kind string

const (
	KindHTTP Kind = "http"
	KindTCP  Kind = "tcp"
	KindTLS  Kind = "tls"
)

// Target is one thing beacon watches.
type Target struct {
	Name           string            `json:"name"`
	Kind           Kind              `json:"kind"`
	Address        string            `json:"address"`
	Interval       Duration          `json:"interval"`
	Timeout        Duration          `json:"timeout"`
	ExpectStatus   []int             `json:"expectStatus,omitempty"`
	ExpectBody     string            `json:"expectBody,omitempty"`
	Headers        map[string]string `json:"headers,omitempty"`
	InsecureTLS    bool              `json:"insecureTLS,omitempty"`
	ServerName     string            `json:"serverName,omitempty"`
	CertWarnBefore Duration          `json:"certWarnBefore,omitempty"`
	Labels         map[string]string `json:"labels,omitempty"`
}

// Config is the whole file.
type Config struct {
	Listen  string   `json:"listen"`
	Title   string   `json:"title"`
	Keep    int      `json:"keep"`
	Targets []Target `json:"targets"`
}

// Duration is a time.Duration that reads and writes as "1m30s" in JSON.
type Duration struct{ time.Duration }

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n float64
		if err2 := json.Unmarshal(b, &n); err2 != nil {
			return fmt.Errorf("a duration is a string like \"30s\" or a number of seconds")
		}
		d.Duration = time.Duration(n * float64(time.Second))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// Error is a configuration problem at a place in a file.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Defaults fill what a file leaves out.
var Defaults = Config{Listen: ":8080", Title: "beacon", Keep: 120}

const (
	defaultInterval = 30 * time.Second
	defaultTimeout  = 5 * time.Second
)

// Load reads a file by its extension: .json as JSON, anything else as the INI-like format.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if strings.HasSuffix(path, ".json") {
		return ParseJSON(path, f)
	}
	return ParseINI(path, f)
}

// ParseJSON reads the JSON form.
func ParseJSON(name string, r io.Reader) (*Config, error) {
	c := Defaults
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, &Error{File: name, Msg: fmt.Sprintf("byte %d: %v", se.Offset, se)}
		}
		return nil, &Error{File: name, Msg: err.Error()}
	}
	for i := range c.Targets {
		applyTargetDefaults(&c.Targets[i])
	}
	return &c, Validate(name, &c)
}

// ParseINI reads the INI-like form:
//
//	listen = :8080
//	title = Edge services
//
//	[target api]
//	kind = http
//	address = https://api.example.com/healthz
//	expect_status = 200, 204
//	header.Authorization = Bearer $TOKEN
//	label.team = core
func ParseINI(name string, r io.Reader) (*Config, error) {
	c := Defaults
	sc := bufio.NewScanner(r)
	lineNo := 0
	var cur *Target
	seen := map[string]int{}
	for sc.Scan() {
		lineNo++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") {
			continue
		}
		if strings.HasPrefix(line, "[") {
			if !strings.HasSuffix(line, "]") {
				return nil, &Error{name, lineNo, "a section header ends with ]"}
			}
			fields := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(line, "["), "]"))
			if len(fields) != 2 || fields[0] != "target" {
				return nil, &Error{name, lineNo, "sections are [target NAME]"}
			}
			if prev, dup := seen[fields[1]]; dup {
				return nil, &Error{name, lineNo, fmt.Sprintf("target %q is already defined on line %d", fields[1], prev)}
			}
			seen[fields[1]] = lineNo
			c.Targets = append(c.Targets, Target{Name: fields[1]})
			cur = &c.Targets[len(c.Targets)-1]
			continue
		}
		eq := strings.IndexByte(line, '=')
		if eq < 0 {
			return nil, &Error{name, lineNo, "expected key = value"}
		}
		key := strings.TrimSpace(line[:eq])
		val := os.ExpandEnv(strings.TrimSpace(line[eq+1:]))
		var err error
		if cur == nil {
			err = setGlobal(&c, key, val)
		} else {
			err = setTarget(cur, key, val)
		}
		if err != nil {
			return nil, &Error{name, lineNo, err.Error()}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &Error{File: name, Msg: err.Error()}
	}
	for i := range c.Targets {
		applyTargetDefaults(&c.Targets[i])
	}
	return &c, Validate(name, &c)
}

func setGlobal(c *Config, key, val string) error {
	switch key {
	case "listen":
		c.Listen = val
	case "title":
		c.Title = val
	case "keep":
		n, err := strconv.Atoi(val)
		if err != nil || n < 1 {
			return fmt.Errorf("keep is a whole number of results per target, at least 1")
		}
		c.Keep = n
	default:
		return fmt.Errorf("unknown setting %q (use listen, title or keep, or start a [target NAME] section)", key)
	}
	return nil
}

func setTarget(t *Target, key, val string) error {
	switch {
	case key == "kind":
		t.Kind = Kind(val)
	case key == "address":
		t.Address = val
	case key == "interval", key == "timeout", key == "cert_warn_before":
		d, err := time.ParseDuration(val)
		if err != nil {
			return fmt.Errorf("%s: %v", key, err)
		}
		switch key {
		case "interval":
			t.Interval.Duration = d
		case "timeout":
			t.Timeout.Duration = d
		default:
			t.CertWarnBefore.Duration = d
		}
	case key == "expect_status":
		for _, part := range strings.Split(val, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(part))
			if err != nil || n < 100 || n > 599 {
				return fmt.Errorf("expect_status lists HTTP status codes (100-599), got %q", part)
			}
			t.ExpectStatus = append(t.ExpectStatus, n)
		}
	case key == "expect_body":
		t.ExpectBody = val
	case key == "insecure_tls":
		b, err := strconv.ParseBool(val)
		if err != nil {
			return fmt.Errorf("insecure_tls is true or false")
		}
		t.InsecureTLS = b
	case key == "server_name":
		t.ServerName = val
	case strings.HasPrefix(key, "header."):
		if t.Headers == nil {
			t.Headers = map[string]string{}
		}
		t.Headers[strings.TrimPrefix(key, "header.")] = val
	case strings.HasPrefix(key, "label."):
		if t.Labels == nil {
			t.Labels = map[string]string{}
		}
		t.Labels[strings.TrimPrefix(key, "label.")] = val
	default:
		return fmt.Errorf("unknown target setting %q", key)
	}
	return nil
}

func applyTargetDefaults(t *Target) {
	if t.Kind == "" {
		if strings.HasPrefix(t.Address, "http://") || strings.HasPrefix(t.Address, "https://") {
			t.Kind = KindHTTP
		} else {
			t.Kind = KindTCP
		}
	}
	if t.Interval.Duration == 0 {
		t.Interval.Duration = defaultInterval
	}
	if t.Timeout.Duration == 0 {
		t.Timeout.Duration = defaultTimeout
	}
	if t.Kind == KindHTTP && len(t.ExpectStatus) == 0 {
		t.ExpectStatus = []int{200}
	}
	if t.Kind == KindTLS && t.CertWarnBefore.Duration == 0 {
		t.CertWarnBefore.Duration = 14 * 24 * time.Hour
	}
}

// Validate checks a whole configuration; the first problem is returned.
func Validate(name string, c *Config) error {
	if c.Keep < 1 {
		return &Error{File: name, Msg: "keep must be at least 1"}
	}
	names := map[string]bool{}
	for i := range c.Targets {
		t := &c.Targets[i]
		where := fmt.Sprintf("target %q", t.Name)
		if t.Name == "" {
			return &Error{File: name, Msg: fmt.Sprintf("target #%d has no name", i+1)}
		}
		if names[t.Name] {
			return &Error{File: name, Msg: where + " is defined twice"}
		}
		names[t.Name] = true
		if t.Address == "" {
			return &Error{File: name, Msg: where + " has no address"}
		}
		switch t.Kind {
		case KindHTTP:
			u, err := url.Parse(t.Address)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return &Error{File: name, Msg: where + ": an http target's address is an http:// or https:// URL"}
			}
		case KindTCP, KindTLS:
			if !strings.Contains(t.Address, ":") {
				return &Error{File: name, Msg: where + ": a " + string(t.Kind) + " target's address is host:port"}
			}
		default:
			return &Error{File: name, Msg: fmt.Sprintf("%s: unknown kind %q (http, tcp or tls)", where, t.Kind)}
		}
		if t.Timeout.Duration >= t.Interval.Duration {
			return &Error{File: name, Msg: where + ": the timeout must be shorter than the interval"}
		}
	}
	return nil
}

// Names lists the targets' names in order.
func (c *Config) Names() []string {
	out := make([]string, 0, len(c.Targets))
	for _, t := range c.Targets {
		out = append(out, t.Name)
	}
	return out
}

// LabelKeys lists every label key any target uses, sorted.
func (c *Config) LabelKeys() []string {
	set := map[string]bool{}
	for _, t := range c.Targets {
		for k := range t.Labels {
			set[k] = true
		}
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
