#!/usr/bin/env bash
# Start-to-handshake time and peak RSS at handshake: our release binary next to
# two real Go providers (null 2.1.2, protocol 5 legacy SDK; workato 0.16.0,
# protocol 6 plugin-framework), measured in one run, interleaved.
#
#   benches/handshake.sh [--runs N] [--json FILE]
#
# Builds the released binary with scripts/release.sh (the glibc 2.17 build that
# goes into the zip; RELEASE_BUILD=0 reuses the last one) and measures the file in
# the zip, fetches the Go providers into .cache/go-providers/
# (scripts/fetch-terraform.sh --bench), then runs benches/handshake.py. Extra
# arguments go to handshake.py.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT}"

echo "==> building and packaging the release (scripts/release.sh)" >&2
scripts/release.sh >&2

ZIP="$(ls -1 "${ROOT}"/dist/terraform-provider-ivschat_*_linux_amd64.zip)"
UNPACKED="$(mktemp -d)"
trap 'rm -rf "${UNPACKED}"' EXIT
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "${ZIP}" "${UNPACKED}"
OURS="$(ls -1 "${UNPACKED}"/terraform-provider-ivschat_v*)"
chmod 0755 "${OURS}"

echo "==> fetching the Go providers" >&2
scripts/fetch-terraform.sh --bench

echo "==> measuring ${ZIP##*/}" >&2
python3 "${ROOT}/benches/handshake.py" "$@" \
  "ours=${OURS}" \
  "null-2.1.2=${ROOT}/.cache/go-providers/null-2.1.2/terraform-provider-null_v2.1.2_x4" \
  "workato-0.16=${ROOT}/.cache/go-providers/workato-0.16.0/terraform-provider-workato_v0.16.0"
