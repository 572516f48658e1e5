#!/bin/sh
# STAND-IN for go-build-static.sh of rancher/hardened-build-base, written for this project's
# offline build world (scripts/local-buildkit.sh). Like the hardened images' script it builds a
# statically linked binary with cgo on (CGO_ENABLED defaults to 1), the `netgo osusergo
# static_build` tags and `-extldflags -static` appended to $GO_LDFLAGS; for a linux/amd64
# target it builds with GOEXPERIMENT=boringcrypto (the FIPS module; Go 1.19 has it for
# linux/amd64 only), which go-assert-boring.sh checks. Arguments go to `go build`.
set -e
export CGO_ENABLED="${CGO_ENABLED:-1}"
if [ "$CGO_ENABLED" = 1 ] && [ -z "$GOEXPERIMENT" ] && [ "$(go env GOOS)/$(go env GOARCH)" = linux/amd64 ]; then
  export GOEXPERIMENT=boringcrypto
fi
set -x
exec go build -tags "netgo osusergo static_build${GO_BUILDTAGS:+ $GO_BUILDTAGS}" \
  -ldflags "${GO_LDFLAGS} -extldflags -static" "$@"
