#!/usr/bin/env bash
# Run the tests: what CI runs (.ci/run) and what README.md names.
#
#   scripts/test.sh          everything (CI)
#   scripts/test.sh --fast   the edit loop: fmt check, clippy, unit tests (lib and emulator)
#
# Everything:
# 1. fetch the pinned Terraform clients (scripts/fetch-terraform.sh) and the
#    pinned tools (scripts/fetch-tools.sh: actionlint, checkov, shellcheck; the
#    release step fetches cargo-zigbuild and zig); all cached in .cache/ after the first run
# 2. the test layout (one integration test binary per package), bash -n and shellcheck
# 3. cargo fmt --check
# 4. cargo clippy on every target, warnings are errors
# 5. cargo test on the whole workspace (debug builds; the end-to-end tests
#    drive real Terraform 1.0.3 and 1.15.5 against the provider binary; the
#    review test runs checkov, the workflow test actionlint), and beside it, at the same
#    time, the eventual-consistency variant: the room, logging configuration, listing-backed
#    read, data source and quickstart suites of the same test binary against an eventually
#    consistent emulator (reads lag writes by up to 1 s), with the provider serving over TCP
#    on 127.0.0.1 (PLUGIN_TRANSPORT=tcp, the transport go-plugin uses on Windows); then, in
#    the same background lane, the plugin, interrupt, identity, error, action, chat token and
#    moved suites over TCP too. The tests mostly wait on Terraform
#    and the lag, so the two runs share the 2 cores well.
# 6. the release check (scripts/release.sh with RELEASE_PROFILE=release-ci: thin LTO): glibc
#    2.17 build with cargo zigbuild, the GLIBC symbol check, the zip installed and run by
#    both Terraform clients. `make release` builds the shipped, fat-LTO binary the same way.
#    It starts in the background with step 5 (whose tests leave most of the CPU idle) and
#    its log is printed at the end. TEST_RELEASE=0 leaves it out.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT}"

START=${SECONDS}
section() {
  printf '\n==> [%4ds] %s\n' "$((SECONDS - START))" "$*"
}

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export RUST_BACKTRACE="${RUST_BACKTRACE:-1}"

FAST=0
case "${1:-}" in
  --fast) FAST=1 ;;
  "") ;;
  -h | --help)
    sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "test.sh: unknown argument: $1 (try --help)" >&2
    exit 2
    ;;
esac

# The layout check is instant; both tiers run it.
check_layout() {
  section "test layout: one integration test binary per package (tests/README.md)"
  if compgen -G 'tests/*.rs' >/dev/null || compgen -G 'emulator/tests/*.rs' >/dev/null; then
    compgen -G 'tests/*.rs' >&2 || true
    compgen -G 'emulator/tests/*.rs' >&2 || true
    echo "a suite is a module file in tests/it/ (emulator/tests/it/) plus one mod line in its main.rs, not a file of its own in tests/" >&2
    exit 1
  fi
  echo "ok: tests/it/, emulator/tests/it/"
}

if [[ "${FAST}" -eq 1 ]]; then
  check_layout
  section "cargo fmt --all -- --check"
  cargo fmt --all -- --check
  section "cargo clippy --workspace --all-targets --locked -- -D warnings"
  cargo clippy --workspace --all-targets --locked -- -D warnings
  section "unit tests: cargo test --workspace --lib --locked"
  cargo test --workspace --lib --locked
  section "fast tier passed (scripts/test.sh without --fast runs everything)"
  exit 0
fi

section "fetch Terraform clients (scripts/fetch-terraform.sh)"
scripts/fetch-terraform.sh

section "fetch tools (scripts/fetch-tools.sh; the release step fetches zig itself)"
scripts/fetch-tools.sh actionlint checkov shellcheck
SHELLCHECK="${ROOT}/.cache/tools/shellcheck/bin/shellcheck"

check_layout

section "fetch Node.js and AWS's JS chat client (scripts/fetch-tools.sh node: messaging-plane tests)"
scripts/fetch-tools.sh node

section "shell scripts: bash -n, shellcheck"
for f in scripts/*.sh benches/*.sh .ci/run; do
  [[ -f "${f}" ]] || continue
  bash -n "${f}"
  echo "ok: ${f}"
done
"${SHELLCHECK}" scripts/*.sh benches/*.sh .ci/run
echo "shellcheck: ok"

section "cargo fmt --all -- --check"
cargo fmt --all -- --check

section "cargo clippy --workspace --all-targets --locked -- -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

section "build the tests: cargo test --workspace --locked --no-run"
cargo test --workspace --locked --no-run

# The release check builds its own target (.2.17, release-ci profile): it shares nothing with
# the debug build, so it runs beside the tests, which mostly wait on Terraform.
RELEASE_LOG="${ROOT}/.cache/test-release.log"
RELEASE_PID=""
mkdir -p "${ROOT}/.cache"
if [[ "${TEST_RELEASE:-1}" != "0" ]]; then
  section "release check in the background: RELEASE_PROFILE=release-ci scripts/release.sh (log: .cache/test-release.log)"
  RELEASE_PROFILE=release-ci scripts/release.sh >"${RELEASE_LOG}" 2>&1 &
  RELEASE_PID=$!
fi

# The eventual-consistency variant runs beside the main run, from the same test binary; its
# output goes to a log, printed when both are done. `--workspace` as above: the same feature
# resolution, so cargo builds nothing more (with `-p` it would build another variant of the
# crate and hold the build lock meanwhile); the filters match no emulator test.
EVENTUAL_LOG="${ROOT}/.cache/test-eventual.log"
section "cargo test --workspace --locked --no-fail-fast, and beside it the eventual-consistency and TCP variants (log: .cache/test-eventual.log)"
(
  rc=0
  IVSCHAT_TEST_CONSISTENCY=eventual IVSCHAT_TEST_CONSISTENCY_LAG_MS=1000 IVSCHAT_TEST_PLUGIN_TRANSPORT=tcp \
    cargo test --workspace --locked --no-fail-fast --test it -- \
    e2e_room:: e2e_logging_configuration:: e2e_room_listing:: e2e_logging_configuration_listing:: \
    e2e_data_sources:: e2e_quickstart:: || rc=$?
  echo "== the plugin-facing suites over TCP (PLUGIN_TRANSPORT=tcp, strong consistency)"
  IVSCHAT_TEST_PLUGIN_TRANSPORT=tcp cargo test --workspace --locked --no-fail-fast --test it -- \
    e2e_plugin:: e2e_interrupt:: e2e_identity:: e2e_errors:: e2e_actions:: e2e_chat_token:: \
    e2e_moved:: || rc=$?
  exit "${rc}"
) >"${EVENTUAL_LOG}" 2>&1 &
EVENTUAL_PID=$!
# Never leave the background runs going when the script is interrupted.
trap 'kill ${EVENTUAL_PID} ${RELEASE_PID} 2>/dev/null || true' EXIT
STRONG_RC=0
# Four test threads on two cores: the end-to-end tests mostly wait on Terraform, the lag and
# the pacing (about 0.4 of a core each on average), and the model-based test holds two threads
# for minutes.
cargo test --workspace --locked --no-fail-fast -- --test-threads=4 || STRONG_RC=$?
section "main run done (exit ${STRONG_RC}); waiting for the eventual-consistency variant"
EVENTUAL_RC=0
wait "${EVENTUAL_PID}" || EVENTUAL_RC=$?
section "variants: eventual consistency (lag <= 1 s) over TCP for the resource, listing, data source and quickstart suites; the plugin-facing suites over TCP: exit ${EVENTUAL_RC}"
cat "${EVENTUAL_LOG}"
RELEASE_RC=0
if [[ -n "${RELEASE_PID}" ]]; then
  section "waiting for the release check (glibc 2.17 build, thin LTO; GLIBC check, Terraform runs the zip)"
  wait "${RELEASE_PID}" || RELEASE_RC=$?
  section "release check: RELEASE_PROFILE=release-ci scripts/release.sh: exit ${RELEASE_RC}"
  cat "${RELEASE_LOG}"
fi
trap - EXIT
if [[ "${STRONG_RC}" -ne 0 || "${EVENTUAL_RC}" -ne 0 || "${RELEASE_RC}" -ne 0 ]]; then
  echo "test.sh: failed: cargo test exit ${STRONG_RC}, eventual-consistency variant exit ${EVENTUAL_RC}, release check exit ${RELEASE_RC}" >&2
  exit 1
fi

section "all tests passed"
