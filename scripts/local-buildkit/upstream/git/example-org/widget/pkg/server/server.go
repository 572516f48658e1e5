// Package server is widgetd's HTTP side: a health endpoint and a JSON inventory of widgets.
package server

import (
	"crypto/tls"
	"encoding/json"
	"net/http"
	"sort"
	"sync"
	"time"
)

// Widget is one entry of the inventory.
type Widget struct {
	Name    string    `json:"name"`
	Count   int       `json:"count"`
	Updated time.Time `json:"updated"`
}

// Inventory is safe for concurrent use by the handlers.
type Inventory struct {
	mu      sync.Mutex
	widgets map[string]Widget
}

func NewInventory() *Inventory { return &Inventory{widgets: map[string]Widget{}} }

// Add counts n more widgets of a name.
func (inv *Inventory) Add(name string, n int) Widget {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	w := inv.widgets[name]
	w.Name = name
	w.Count += n
	w.Updated = time.Now().UTC()
	inv.widgets[name] = w
	return w
}

// List returns the widgets sorted by name.
func (inv *Inventory) List() []Widget {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	out := make([]Widget, 0, len(inv.widgets))
	for _, w := range inv.widgets {
		out = append(out, w)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Handler serves /healthz and /widgets.
func Handler(inv *Inventory) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("/widgets", func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(inv.List())
		case http.MethodPost:
			var req struct {
				Name  string `json:"name"`
				Count int    `json:"count"`
			}
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Name == "" {
				http.Error(w, "want {\"name\": ..., \"count\": ...}", http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(inv.Add(req.Name, req.Count))
		default:
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	})
	return mux
}

// TLSConfig is the server side of FIPS-minded TLS: 1.2 or later.
func TLSConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
}
