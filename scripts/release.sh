#!/usr/bin/env bash
# Release packaging, as the Terraform Registry expects it, into the git-ignored dist/:
#
#   scripts/release.sh           (also: make release)
#
#   dist/terraform-provider-ivschat_<VERSION>_<os>_<arch>.zip
#        holds one file, terraform-provider-ivschat_v<VERSION> (mode 0755)
#   dist/terraform-provider-ivschat_<VERSION>_manifest.json
#        a copy of terraform-registry-manifest.json (plugin protocol 6.0)
#   dist/terraform-provider-ivschat_<VERSION>_SHA256SUMS
#        sha256sum lines for the zip and the manifest
#   dist/terraform-provider-ivschat_<VERSION>_SHA256SUMS.sig
#        only when GPG_FINGERPRINT is set: a detached binary signature by that key
#
# VERSION is [workspace.package] version in Cargo.toml. The binary is `cargo build
# --release --locked` for this machine's platform (no cross-compiling). The zip is
# reproducible: entry times come from SOURCE_DATE_EPOCH, else the last commit's time.
# Finally the zip is checked by installing it with `terraform init` from a packed-layout
# filesystem mirror (when the pinned Terraform clients are in .cache/terraform/).
#
# Environment: RELEASE_BUILD=0 packages target/release/terraform-provider-ivschat as it is.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT}"

case "${1:-}" in
  -h | --help)
    sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
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
    [[ -z "${VERIFY_LOG:-}" || ! -s "${VERIFY_LOG}" ]] || printf 'terraform init log: %s\n' "${VERIFY_LOG}" >&2
  fi
  exit "${rc}"
}
trap on_exit EXIT

NAME="terraform-provider-ivschat"
VERSION="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n 1)"
[[ "${VERSION}" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+].*)?$ ]] || die "no semantic version in Cargo.toml [workspace.package] (got '${VERSION}')"
case "$(uname -m)" in
  x86_64 | amd64) ARCH=amd64 ;;
  aarch64 | arm64) ARCH=arm64 ;;
  *) die "unsupported architecture $(uname -m)" ;;
esac
OS="$(uname -s | tr '[:upper:]' '[:lower:]')"
PLATFORM="${OS}_${ARCH}"
DIST="${ROOT}/dist"
ZIP="${NAME}_${VERSION}_${PLATFORM}.zip"
MANIFEST="${NAME}_${VERSION}_manifest.json"
SUMS="${NAME}_${VERSION}_SHA256SUMS"
printf 'release: %s %s for %s\n' "${NAME}" "${VERSION}" "${PLATFORM}"

if [[ "${RELEASE_BUILD:-1}" != "0" ]]; then
  section "cargo build --release --locked (thin LTO: minutes on a cold target dir)"
  cargo build --release --locked -p "${NAME}" --bin "${NAME}"
fi
BIN="${ROOT}/target/release/${NAME}"
[[ -x "${BIN}" ]] || die "${BIN} missing: run without RELEASE_BUILD=0"

section "package into dist/"
rm -rf "${DIST}"
mkdir -p "${DIST}"
EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"
python3 - "${BIN}" "${DIST}/${ZIP}" "${NAME}_v${VERSION}" "${EPOCH}" <<'PY'
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
cp terraform-registry-manifest.json "${DIST}/${MANIFEST}"
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); assert m=={"version":1,"metadata":{"protocol_versions":["6.0"]}}, m' \
  "${DIST}/${MANIFEST}" || die "terraform-registry-manifest.json must declare protocol_versions [\"6.0\"]"
(cd "${DIST}" && sha256sum "${ZIP}" "${MANIFEST}" >"${SUMS}")
if [[ -n "${GPG_FINGERPRINT:-}" ]]; then
  section "sign ${SUMS} with ${GPG_FINGERPRINT}"
  gpg --batch --yes --local-user "${GPG_FINGERPRINT}" --output "${DIST}/${SUMS}.sig" --detach-sign "${DIST}/${SUMS}"
fi
(cd "${DIST}" && sha256sum -c --quiet "${SUMS}")

section "verify: terraform init installs the zip from a packed-layout filesystem mirror"
TF="${ROOT}/.cache/terraform/1.15.5/terraform"
if [[ -x "${TF}" ]]; then
  SCRATCH="$(mktemp -d)"
  mkdir -p "${SCRATCH}/mirror/registry.terraform.io/ivschat/ivschat" "${SCRATCH}/work" "${SCRATCH}/home"
  cp "${DIST}/${ZIP}" "${SCRATCH}/mirror/registry.terraform.io/ivschat/ivschat/"
  cat >"${SCRATCH}/terraformrc" <<EOF2
provider_installation {
  filesystem_mirror {
    path    = "${SCRATCH}/mirror"
    include = ["registry.terraform.io/ivschat/ivschat"]
  }
}
EOF2
  cat >"${SCRATCH}/work/main.tf" <<EOF2
terraform {
  required_providers {
    ivschat = {
      source  = "registry.terraform.io/ivschat/ivschat"
      version = "= ${VERSION}"
    }
  }
}
EOF2
  VERIFY_LOG="${SCRATCH}/init.log"
  (cd "${SCRATCH}/work" && HOME="${SCRATCH}/home" TF_CLI_CONFIG_FILE="${SCRATCH}/terraformrc" \
    CHECKPOINT_DISABLE=1 "${TF}" init -input=false -no-color >"${VERIFY_LOG}" 2>&1 &&
    HOME="${SCRATCH}/home" TF_CLI_CONFIG_FILE="${SCRATCH}/terraformrc" CHECKPOINT_DISABLE=1 \
      "${TF}" providers schema -json >"${SCRATCH}/schema.json" 2>>"${VERIFY_LOG}") || {
    cat "${VERIFY_LOG}" >&2
    die "terraform init / providers schema with the packaged zip failed"
  }
  grep -q '"ivschat_room"' "${SCRATCH}/schema.json" || die "the packaged provider's schema lacks ivschat_room"
  grep -E '^- Install' "${VERIFY_LOG}" | sed 's/^/    /'
  echo "    ok: installed and served its schema (Terraform 1.15.5)"
else
  echo "    skipped: no .cache/terraform/1.15.5/terraform (run scripts/fetch-terraform.sh)"
fi

section "done in $((SECONDS - START)) s: dist/"
(cd "${DIST}" && ls -l && cat "${SUMS}")
