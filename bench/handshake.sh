#!/usr/bin/env bash
# Start-to-handshake time and peak RSS at handshake: our release binary next to
# two real Go providers (null 2.1.2, protocol 5 legacy SDK; workato 0.16.0,
# protocol 6 plugin-framework), measured in one run, interleaved.
#
#   bench/handshake.sh [--runs N] [--json FILE]
#
# Builds target/release/terraform-provider-ivschat, fetches the Go providers
# into .cache/go-providers/ (scripts/fetch-terraform.sh --bench), then runs
# bench/handshake.py. Extra arguments go to handshake.py.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT}"

echo "==> building the release binary" >&2
cargo build --release --bin terraform-provider-ivschat >&2

echo "==> fetching the Go providers" >&2
scripts/fetch-terraform.sh --bench

TARGET_DIR="${CARGO_TARGET_DIR:-${ROOT}/target}"
echo "==> measuring" >&2
exec python3 "${ROOT}/bench/handshake.py" "$@" \
  "ours=${TARGET_DIR}/release/terraform-provider-ivschat" \
  "null-2.1.2=${ROOT}/.cache/go-providers/null-2.1.2/terraform-provider-null_v2.1.2_x4" \
  "workato-0.16=${ROOT}/.cache/go-providers/workato-0.16.0/terraform-provider-workato_v0.16.0"
