// Package match holds the checks a response body can be held to beyond a substring: regular
// expressions and JSON fields (`$.status == "ok"`), and the address allow-list of the admin
// endpoints.
package match

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// Matcher checks a body.
type Matcher interface {
	Match(body []byte) (bool, string)
	String() string
}

// Parse reads one rule: `re:EXPR`, `json:$.a.b == VALUE` (or `!=`), or a plain substring.
func Parse(rule string) (Matcher, error) {
	switch {
	case strings.HasPrefix(rule, "re:"):
		re, err := regexp.Compile(strings.TrimPrefix(rule, "re:"))
		if err != nil {
			return nil, fmt.Errorf("rule %q: %v", rule, err)
		}
		return regex{re}, nil
	case strings.HasPrefix(rule, "json:"):
		return parseJSONRule(strings.TrimSpace(strings.TrimPrefix(rule, "json:")))
	}
	return substring(rule), nil
}

type substring string

func (s substring) Match(body []byte) (bool, string) {
	if strings.Contains(string(body), string(s)) {
		return true, ""
	}
	return false, fmt.Sprintf("body lacks %q", string(s))
}
func (s substring) String() string { return strconv.Quote(string(s)) }

type regex struct{ re *regexp.Regexp }

func (r regex) Match(body []byte) (bool, string) {
	if r.re.Match(body) {
		return true, ""
	}
	return false, fmt.Sprintf("body does not match /%s/", r.re)
}
func (r regex) String() string { return "re:" + r.re.String() }

type jsonRule struct {
	path  []string
	op    string
	value any
	raw   string
}

var jsonRuleRE = regexp.MustCompile(`^\$((?:\.[A-Za-z0-9_-]+|\[\d+\])+)\s*(==|!=)\s*(.+)$`)
var segmentRE = regexp.MustCompile(`\.([A-Za-z0-9_-]+)|\[(\d+)\]`)

func parseJSONRule(s string) (Matcher, error) {
	m := jsonRuleRE.FindStringSubmatch(s)
	if m == nil {
		return nil, fmt.Errorf("json rule %q: want $.path == VALUE", s)
	}
	var value any
	if err := json.Unmarshal([]byte(m[3]), &value); err != nil {
		return nil, fmt.Errorf("json rule %q: the value is not JSON: %v", s, err)
	}
	var path []string
	for _, seg := range segmentRE.FindAllStringSubmatch(m[1], -1) {
		if seg[1] != "" {
			path = append(path, seg[1])
		} else {
			path = append(path, "#"+seg[2])
		}
	}
	return jsonRule{path: path, op: m[2], value: value, raw: s}, nil
}

func (j jsonRule) Match(body []byte) (bool, string) {
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return false, "body is not JSON: " + err.Error()
	}
	cur := doc
	for _, p := range j.path {
		if strings.HasPrefix(p, "#") {
			i, _ := strconv.Atoi(p[1:])
			list, ok := cur.([]any)
			if !ok || i >= len(list) {
				return false, fmt.Sprintf("%s: no element %d", j.raw, i)
			}
			cur = list[i]
			continue
		}
		obj, ok := cur.(map[string]any)
		if !ok {
			return false, fmt.Sprintf("%s: %s is not in an object", j.raw, p)
		}
		if cur, ok = obj[p]; !ok {
			return false, fmt.Sprintf("%s: no field %s", j.raw, p)
		}
	}
	got, _ := json.Marshal(cur)
	want, _ := json.Marshal(j.value)
	equal := string(got) == string(want)
	if equal == (j.op == "==") {
		return true, ""
	}
	return false, fmt.Sprintf("%s: got %s", j.raw, got)
}
func (j jsonRule) String() string { return "json:" + j.raw }

// AllowList holds the networks allowed to reach the admin endpoints.
type AllowList []netip.Prefix

// ParseAllowList reads comma-separated prefixes or addresses ("127.0.0.1, 10.0.0.0/8, ::1").
func ParseAllowList(s string) (AllowList, error) {
	var out AllowList
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			addr, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("allow-list entry %q: %v", part, err)
			}
			out = append(out, netip.PrefixFrom(addr, addr.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("allow-list entry %q: %v", part, err)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// Allows reports whether the remote address (host:port) is in the list.
func (a AllowList) Allows(remote string) bool {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return false
	}
	addr := ap.Addr().Unmap()
	for _, p := range a {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
