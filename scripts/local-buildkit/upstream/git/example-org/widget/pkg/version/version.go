// Package version holds what the build stamps in with -X.
package version

import (
	"crypto/tls"
	"fmt"
	"runtime"
)

// Version is set at build time: -X github.com/example-org/widget/pkg/version.Version=v0.4.2
var Version = "dev"

// String is what `widgetd --version` prints. The TLS 1.2 default cipher list tells whether the
// binary runs with BoringCrypto (FIPS builds keep only AES-GCM suites).
func String() string {
	return fmt.Sprintf("widgetd %s (%s, %s/%s, %d TLS suites)", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH, len(tls.CipherSuites()))
}
