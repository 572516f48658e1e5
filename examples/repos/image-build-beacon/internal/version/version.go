// Package version holds what the build stamps into the binary with -ldflags -X.
package version

import (
	"fmt"
	"runtime"
)

// Version is set at build time: -ldflags "-X github.com/example-org/beacon/internal/version.Version=v1.3.0".
var Version = "dev"

// Commit is the source commit, when the build knows it.
var Commit = "unknown"

// String is what `beacon --version` prints: the version, the commit and the platform the binary
// was built for, so a cross-compiled image can be checked from the outside.
func String() string {
	return fmt.Sprintf("beacon %s (commit %s, %s/%s, %s)", Version, Commit, runtime.GOOS, runtime.GOARCH, runtime.Version())
}
