// Package feed publishes state changes as an Atom feed, for feed readers and chat integrations.
package feed

import (
	"crypto/sha1"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"sort"
	"time"

	"github.com/example-org/beacon/internal/alert"
)

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Link    atomLink    `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Link    atomLink `xml:"link"`
	Summary string   `xml:"summary"`
}

// Log keeps the last N events, newest first.
type Log struct {
	max    int
	events []alert.Event
}

// NewLog keeps up to max events.
func NewLog(max int) *Log { return &Log{max: max} }

// Add records e.
func (l *Log) Add(e alert.Event) {
	l.events = append(l.events, e)
	sort.SliceStable(l.events, func(i, j int) bool { return l.events[i].At.After(l.events[j].At) })
	if len(l.events) > l.max {
		l.events = l.events[:l.max]
	}
}

// Events returns the kept events, newest first.
func (l *Log) Events() []alert.Event { return append([]alert.Event(nil), l.events...) }

// Write renders the feed; base is the status page's URL.
func Write(w io.Writer, title string, base *url.URL, events []alert.Event, now time.Time) error {
	f := atomFeed{
		ID:      "urn:beacon:" + base.Host,
		Title:   title,
		Updated: now.UTC().Format(time.RFC3339),
		Link:    atomLink{Href: base.String(), Rel: "alternate"},
		Author:  atomAuthor{Name: "beacon"},
	}
	for _, e := range events {
		link := *base
		link.Fragment = url.PathEscape(e.Target)
		sum := sha1.Sum([]byte(fmt.Sprintf("%s|%s|%s", e.Target, e.To, e.At.UTC().Format(time.RFC3339Nano))))
		f.Entries = append(f.Entries, atomEntry{
			ID:      fmt.Sprintf("urn:beacon:event:%x", sum[:8]),
			Title:   e.Title(),
			Updated: e.At.UTC().Format(time.RFC3339),
			Link:    atomLink{Href: link.String()},
			Summary: e.Detail,
		})
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
