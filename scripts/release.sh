#!/usr/bin/env bash
# Release packaging, as the Terraform Registry expects it, into the git-ignored dist/:
#
#   scripts/release.sh             build and package this machine's platform (make release)
#   scripts/release.sh --combine   checksum (and sign) every zip already in dist/: the last
#                                  step of .github/workflows/release.yml
#
#   dist/terraform-provider-ivschat_<VERSION>_<os>_<arch>.zip
#        holds one file, terraform-provider-ivschat_v<VERSION> (.exe on Windows), mode 0755
#   dist/terraform-provider-ivschat_<VERSION>_manifest.json
#        a copy of terraform-registry-manifest.json (plugin protocol 6.0)
#   dist/terraform-provider-ivschat_<VERSION>_SHA256SUMS
#        sha256sum lines for the zips and the manifest
#   dist/terraform-provider-ivschat_<VERSION>_SHA256SUMS.sig
#        only when GPG_FINGERPRINT is set: a detached binary signature by that key
#        (GPG_PASSPHRASE, when set, unlocks it)
#
# VERSION is [workspace.package] version in Cargo.toml. On Linux the binary is linked
# against glibc 2.17 (RELEASE_GLIBC) by `cargo zigbuild` (cargo-zigbuild and zig come from
# scripts/fetch-tools.sh zig), and the script fails when the binary needs a newer GLIBC
# symbol version; RELEASE_GLIBC=native is a plain cargo build for this machine's glibc. On
# macOS and Windows it is a plain `cargo build --release --locked`. The zip is reproducible:
# entry times come from SOURCE_DATE_EPOCH, else the last commit's time. Then each pinned
# Terraform client found in .cache/terraform/ installs the zip with `terraform init` from a
# packed-layout filesystem mirror and runs it (handshake, schema, validate).
#
# Environment: RELEASE_BUILD=0 packages the binary already built, as it is.
# RELEASE_PROFILE (default release: fat LTO) picks the cargo profile; scripts/test.sh uses
# release-ci (thin LTO, 16 codegen units) to check the same build, package and install fast.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT}"

COMBINE=0
case "${1:-}" in
  -h | --help)
    sed -n '2,29p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  --combine) COMBINE=1 ;;
  "") ;;
  *)
    echo "release.sh: unknown argument: $1 (try --help)" >&2
    exit 2
    ;;
esac

START=${SECONDS}
STEP="start"
section() {
  STEP="$*"
  printf '\n==> [%4ds] %s\n' "$((SECONDS - START))" "$*"
}
die() {
  printf 'release: %s\n' "$*" >&2
  exit 1
}
SCRATCH=""
on_exit() {
  local rc=$?
  [[ -z "${SCRATCH}" ]] || rm -rf "${SCRATCH}"
  if [[ ${rc} -ne 0 ]]; then
    printf '\nrelease FAILED (exit %d) at step: %s\n' "${rc}" "${STEP}" >&2
  fi
  exit "${rc}"
}
trap on_exit EXIT

NAME="terraform-provider-ivschat"
VERSION="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n 1)"
[[ "${VERSION}" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+].*)?$ ]] || die "no semantic version in Cargo.toml [workspace.package] (got '${VERSION}')"
case "$(uname -m)" in
  x86_64 | amd64) ARCH=amd64 CPU=x86_64 ;;
  aarch64 | arm64) ARCH=arm64 CPU=aarch64 ;;
  *) die "unsupported architecture $(uname -m)" ;;
esac
EXE=""
case "$(uname -s)" in
  Linux) OS=linux ;;
  Darwin) OS=darwin ;;
  MINGW* | MSYS* | CYGWIN*) OS=windows EXE=".exe" ;;
  *) die "unsupported operating system $(uname -s)" ;;
esac
PLATFORM="${OS}_${ARCH}"
DIST="${ROOT}/dist"
ZIP="${NAME}_${VERSION}_${PLATFORM}.zip"
MANIFEST="${NAME}_${VERSION}_manifest.json"
SUMS="${NAME}_${VERSION}_SHA256SUMS"

# write_sums: the manifest, SHA256SUMS over every zip of this version in dist/ and the
# manifest, and its signature when GPG_FINGERPRINT is set.
write_sums() {
  cp terraform-registry-manifest.json "${DIST}/${MANIFEST}"
  python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); assert m=={"version":1,"metadata":{"protocol_versions":["6.0"]}}, m' \
    "${DIST}/${MANIFEST}" || die "terraform-registry-manifest.json must declare protocol_versions [\"6.0\"]"
  local zips=()
  local zip
  for zip in "${DIST}/${NAME}_${VERSION}"_*.zip; do
    [[ -f "${zip}" ]] && zips+=("${zip##*/}")
  done
  [[ ${#zips[@]} -gt 0 ]] || die "no ${NAME}_${VERSION}_*.zip in dist/"
  (cd "${DIST}" && sha256sum "${zips[@]}" "${MANIFEST}" >"${SUMS}")
  rm -f "${DIST}/${SUMS}.sig"
  if [[ -n "${GPG_FINGERPRINT:-}" ]]; then
    section "sign ${SUMS} with ${GPG_FINGERPRINT}"
    local sign=(gpg --batch --yes --local-user "${GPG_FINGERPRINT}" --output "${DIST}/${SUMS}.sig")
    if [[ -n "${GPG_PASSPHRASE:-}" ]]; then
      # From stdin, never on the command line.
      printf '%s' "${GPG_PASSPHRASE}" |
        "${sign[@]}" --pinentry-mode loopback --passphrase-fd 0 --detach-sign "${DIST}/${SUMS}"
    else
      "${sign[@]}" --detach-sign "${DIST}/${SUMS}"
    fi
    gpg --batch --verify "${DIST}/${SUMS}.sig" "${DIST}/${SUMS}"
  fi
  (cd "${DIST}" && sha256sum -c --quiet "${SUMS}")
}

if [[ "${COMBINE}" -eq 1 ]]; then
  printf 'release: %s %s: checksums of the zips in dist/\n' "${NAME}" "${VERSION}"
  section "checksum every zip in dist/"
  write_sums
  section "done in $((SECONDS - START)) s: dist/"
  (cd "${DIST}" && ls -l && cat "${SUMS}")
  exit 0
fi
printf 'release: %s %s for %s\n' "${NAME}" "${VERSION}" "${PLATFORM}"

GLIBC_FLOOR="${RELEASE_GLIBC:-2.17}"
PROFILE="${RELEASE_PROFILE:-release}"
[[ "${PROFILE}" =~ ^release(-[a-z0-9]+)?$ ]] || die "RELEASE_PROFILE must be release or release-<name> (got '${PROFILE}')"
LTO="fat LTO"
[[ "${PROFILE}" == release ]] || LTO="profile ${PROFILE}"
ZIGBUILD=0
if [[ "${OS}" == linux && "${GLIBC_FLOOR}" != native ]]; then
  [[ "${GLIBC_FLOOR}" =~ ^2\.[0-9]+$ ]] || die "RELEASE_GLIBC must be 2.N or native (got '${GLIBC_FLOOR}')"
  ZIGBUILD=1
  TRIPLE="${CPU}-unknown-linux-gnu"
  BIN="${ROOT}/target/${TRIPLE}/${PROFILE}/${NAME}"
else
  BIN="${ROOT}/target/${PROFILE}/${NAME}${EXE}"
fi

if [[ "${RELEASE_BUILD:-1}" != "0" ]]; then
  if [[ "${ZIGBUILD}" -eq 1 ]]; then
    section "fetch cargo-zigbuild and zig (scripts/fetch-tools.sh zig)"
    scripts/fetch-tools.sh zig
    section "cargo zigbuild --profile ${PROFILE} --locked --target ${TRIPLE}.${GLIBC_FLOOR} (${LTO}: minutes on 2 cores)"
    # cargo-zigbuild runs the pinned zig as `python3 -m ziglang` from this venv.
    PATH="${ROOT}/.cache/tools/zig/bin:${PATH}" \
      cargo zigbuild --profile "${PROFILE}" --locked --target "${TRIPLE}.${GLIBC_FLOOR}" -p "${NAME}" --bin "${NAME}"
  else
    section "cargo build --profile ${PROFILE} --locked (${LTO}: minutes on 2 cores)"
    cargo build --profile "${PROFILE}" --locked -p "${NAME}" --bin "${NAME}"
  fi
fi
[[ -f "${BIN}" ]] || die "${BIN} missing: run without RELEASE_BUILD=0"

if [[ "${ZIGBUILD}" -eq 1 ]]; then
  section "check: the binary needs at most GLIBC_${GLIBC_FLOOR}"
  command -v objdump >/dev/null 2>&1 || die "objdump is required (apt-get install binutils)"
  NEEDED="$(objdump -T "${BIN}" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/^GLIBC_//' | sort -u -V | tail -n 1)"
  [[ -n "${NEEDED}" ]] || die "objdump -T ${BIN##*/} shows no GLIBC symbol version"
  HIGHEST="$(printf '%s\n%s\n' "${NEEDED}" "${GLIBC_FLOOR}" | sort -V | tail -n 1)"
  [[ "${HIGHEST}" == "${GLIBC_FLOOR}" ]] || die "${BIN##*/} needs GLIBC_${NEEDED}, newer than the floor ${GLIBC_FLOOR}"
  echo "    ok: the highest GLIBC symbol version it needs is ${NEEDED} (floor ${GLIBC_FLOOR})"
fi

section "package into dist/"
rm -rf "${DIST}"
mkdir -p "${DIST}"
EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"
python3 - "${BIN}" "${DIST}/${ZIP}" "${NAME}_v${VERSION}${EXE}" "${EPOCH}" <<'PY'
import sys, time, zipfile
src, dest, member, epoch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
stamp = max(time.gmtime(epoch)[:6], (1980, 1, 1, 0, 0, 0))
info = zipfile.ZipInfo(member, date_time=stamp)
info.external_attr = (0o100755 << 16)
info.create_system = 3  # Unix, so the mode is honoured
info.compress_type = zipfile.ZIP_DEFLATED
with open(src, "rb") as f, zipfile.ZipFile(dest, "w") as z:
    z.writestr(info, f.read(), compresslevel=9)
PY
write_sums

# verify_with TERRAFORM: install the zip from a packed-layout filesystem mirror with
# `terraform init`, then start the provider for `providers schema -json` and `validate`.
verify_with() {
  local tf="$1" version="$2"
  local dir="${SCRATCH}/tf-${version}"
  mkdir -p "${dir}/mirror/registry.terraform.io/ivschat/ivschat" "${dir}/work" "${dir}/home"
  cp "${DIST}/${ZIP}" "${dir}/mirror/registry.terraform.io/ivschat/ivschat/"
  cat >"${dir}/terraformrc" <<EOF2
provider_installation {
  filesystem_mirror {
    path    = "${dir}/mirror"
    include = ["registry.terraform.io/ivschat/ivschat"]
  }
}
disable_checkpoint = true
EOF2
  cat >"${dir}/work/main.tf" <<EOF2
terraform {
  required_providers {
    ivschat = {
      source  = "registry.terraform.io/ivschat/ivschat"
      version = "= ${VERSION}"
    }
  }
}

provider "ivschat" {
  region = "us-east-1"
}

resource "ivschat_room" "check" {
  name                            = "release-check"
  maximum_message_rate_per_second = 5
}
EOF2
  local log="${dir}/terraform.log"
  run_tf() {
    (cd "${dir}/work" && HOME="${dir}/home" TF_CLI_CONFIG_FILE="${dir}/terraformrc" \
      CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 "${tf}" "$@")
  }
  if ! run_tf init -input=false -no-color >"${log}" 2>&1 ||
    ! run_tf providers schema -json >"${dir}/schema.json" 2>>"${log}" ||
    ! run_tf validate -no-color >>"${log}" 2>&1; then
    cat "${log}" >&2
    die "Terraform ${version}: init / providers schema / validate with the packaged zip failed"
  fi
  grep -q '"ivschat_room"' "${dir}/schema.json" || die "Terraform ${version}: the packaged provider's schema lacks ivschat_room"
  grep -E '^- Install' "${log}" | sed 's/^/    /'
  echo "    ok: Terraform ${version} installed it, completed the handshake, read its schema, validated"
}

# handshake_check: start the built binary as go-plugin would and read its handshake line:
# unix sockets where the platform has them, TCP on 127.0.0.1 on Windows (go-plugin's only
# transport there). Every platform runs it, including those the pinned Terraform clients
# cannot run on.
handshake_check() {
  local want="unix"
  [[ "${OS}" == windows ]] && want="tcp"
  local out="${SCRATCH}/handshake.txt"
  rm -f "${out}"
  TF_PLUGIN_MAGIC_COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2 \
    PLUGIN_PROTOCOL_VERSIONS=6 "${BIN}" >"${out}" 2>"${SCRATCH}/handshake.err" &
  local pid=$!
  local waited=0
  until [[ -s "${out}" ]] || [[ ${waited} -ge 100 ]]; do
    sleep 0.1
    waited=$((waited + 1))
  done
  kill "${pid}" 2>/dev/null || true
  wait "${pid}" 2>/dev/null || true
  local line
  line="$(head -n 1 "${out}" | tr -d '\r')"
  if [[ ! "${line}" =~ ^1\|6\|${want}\|[^|]+\|grpc\|$ ]]; then
    cat "${SCRATCH}/handshake.err" >&2
    die "handshake line '${line}' is not 1|6|${want}|<address>|grpc|"
  fi
  echo "    ok: ${line}"
}

SCRATCH="$(mktemp -d)"
section "verify: the binary starts and announces a ${OS} transport (go-plugin handshake)"
handshake_check

section "verify: Terraform installs the zip from a filesystem mirror and runs the provider"
if [[ "${PLATFORM}" != linux_amd64 ]]; then
  echo "    not here: the pinned Terraform clients are linux_amd64 builds"
else
  verified=0
  for version in 1.0.3 1.15.5; do
    tf="${ROOT}/.cache/terraform/${version}/terraform"
    if [[ -x "${tf}" ]]; then
      verify_with "${tf}" "${version}"
      verified=$((verified + 1))
    fi
  done
  [[ ${verified} -gt 0 ]] || echo "    skipped: no .cache/terraform/*/terraform (run scripts/fetch-terraform.sh)"
fi

section "done in $((SECONDS - START)) s: dist/"
(cd "${DIST}" && ls -l && cat "${SUMS}")
