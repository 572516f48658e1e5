#!/bin/sh
# STAND-IN for go-assert-boring.sh of rancher/hardened-build-base, written for this project's
# offline build world. Fails unless every FILE was built with BoringCrypto: its symbol table has
# the cgo entry points of the goboringcrypto module (`go tool nm`, so before stripping).
set -e
[ $# -gt 0 ] || { echo "usage: go-assert-boring.sh FILE..." >&2; exit 1; }
for f in "$@"; do
  if ! go tool nm "$f" | grep -q '_Cfunc__goboringcrypto_'; then
    echo "go-assert-boring.sh (stand-in): $f was not built with BoringCrypto (GOEXPERIMENT=boringcrypto, cgo on)" >&2
    exit 1
  fi
  echo "$f: BoringCrypto"
done
