#!/usr/bin/env bash
# Run all tests: what CI runs (.ci/run) and what README.md names.
#
#   scripts/test.sh
#
# 1. fetch the pinned Terraform clients (scripts/fetch-terraform.sh; cached)
# 2. cargo fmt --check
# 3. cargo clippy on every target, warnings are errors
# 4. cargo test on the whole workspace (debug builds; the end-to-end tests
#    drive real Terraform 1.0.3 and 1.15.5 against the provider binary)
# 5. the room, logging configuration, data source and quickstart suites again
#    against an eventually consistent emulator (reads lag writes by up to 1 s)
#
# No release build here: tests use debug builds, and CI time stays low.
# bench/handshake.sh builds the release binary when it is measured.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT}"

START=${SECONDS}
section() {
  printf '\n==> [%4ds] %s\n' "$((SECONDS - START))" "$*"
}

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export RUST_BACKTRACE="${RUST_BACKTRACE:-1}"

section "fetch Terraform clients (scripts/fetch-terraform.sh)"
scripts/fetch-terraform.sh

section "shell scripts: syntax (bash -n)"
for f in scripts/*.sh bench/*.sh .ci/run; do
  [[ -f "${f}" ]] || continue
  bash -n "${f}"
  echo "ok: ${f}"
done

section "cargo fmt --all -- --check"
cargo fmt --all -- --check

section "cargo clippy --workspace --all-targets --locked -- -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

section "cargo test --workspace --locked --no-fail-fast"
cargo test --workspace --locked --no-fail-fast

section "eventual consistency: rooms, logging configurations, data sources, quickstart (IVSCHAT_TEST_CONSISTENCY=eventual, lag <= 1 s)"
IVSCHAT_TEST_CONSISTENCY=eventual IVSCHAT_TEST_CONSISTENCY_LAG_MS=1000 \
  cargo test --locked --no-fail-fast --test e2e_room --test e2e_logging_configuration \
  --test e2e_data_sources --test e2e_quickstart

section "all tests passed"
