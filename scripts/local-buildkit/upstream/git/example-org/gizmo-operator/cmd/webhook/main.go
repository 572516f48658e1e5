// gizmo-webhook validates gizmos posted to /validate.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"runtime"
	"time"

	v1 "github.com/example-org/gizmo-operator/api/v1"
)

func validate(g *v1.Gizmo) []string {
	var problems []string
	if g.Name == "" {
		problems = append(problems, "name is required")
	}
	if g.Spec.Image == "" {
		problems = append(problems, "spec.image is required")
	}
	if g.Spec.Replicas < 0 {
		problems = append(problems, "spec.replicas must not be negative")
	}
	return problems
}

func main() {
	showVersion := flag.Bool("version", false, "print the version and exit")
	addr := flag.String("listen", ":8443", "address to listen on")
	flag.Parse()
	if *showVersion {
		fmt.Printf("gizmo-webhook %s (%s, %s/%s)\n", v1.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return
	}
	http.HandleFunc("/validate", func(w http.ResponseWriter, r *http.Request) {
		var g v1.Gizmo
		if err := json.NewDecoder(r.Body).Decode(&g); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		problems := validate(g.DeepCopy())
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"allowed": len(problems) == 0, "problems": problems})
	})
	srv := &http.Server{Addr: *addr, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
