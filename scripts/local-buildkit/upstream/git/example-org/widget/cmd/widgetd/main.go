// widgetd serves the widget inventory over HTTPS (or plain HTTP without a certificate).
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/example-org/widget/pkg/server"
	"github.com/example-org/widget/pkg/version"
)

func main() {
	showVersion := flag.Bool("version", false, "print the version and exit")
	addr := flag.String("listen", ":8443", "address to listen on")
	certFile := flag.String("tls-cert", "", "PEM certificate (with -tls-key); plain HTTP without")
	keyFile := flag.String("tls-key", "", "PEM private key")
	flag.Parse()
	if *showVersion {
		fmt.Println(version.String())
		return
	}
	srv := &http.Server{Addr: *addr, Handler: server.Handler(server.NewInventory()), ReadHeaderTimeout: 10 * time.Second}
	if *certFile == "" {
		log.Printf("widgetd %s listening on %s (plain HTTP)", version.Version, *addr)
		log.Fatal(srv.ListenAndServe())
	}
	cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		fmt.Fprintf(os.Stderr, "widgetd: %v\n", err)
		os.Exit(2)
	}
	srv.TLSConfig = server.TLSConfig(cert)
	log.Printf("widgetd %s listening on %s", version.Version, *addr)
	log.Fatal(srv.ListenAndServeTLS("", ""))
}
