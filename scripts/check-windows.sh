#!/usr/bin/env bash
# Windows checks from a Linux machine (not part of scripts/test.sh: it needs the Rust
# x86_64-pc-windows-gnu target from rustup, and for the run also MinGW and Wine):
#
#   scripts/check-windows.sh          clippy -D warnings of the provider and the emulator
#                                     (libraries with their unit tests, binaries) for Windows
#   scripts/check-windows.sh --run    also build both for Windows and, under Wine, check the
#                                     provider's handshake (TCP on 127.0.0.1, in the
#                                     PLUGIN_MIN_PORT..PLUGIN_MAX_PORT range)
#
# Needs: rustup target add x86_64-pc-windows-gnu; for --run, gcc-mingw-w64-x86-64 and wine64
# (Debian). Wine 8 lacks bcryptprimitives.dll (ProcessPrng, which Rust's std uses): a stub
# built with MinGW on RtlGenRandom is put next to the .exe for the run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT}"
TARGET=x86_64-pc-windows-gnu
RUN=0
case "${1:-}" in
  --run) RUN=1 ;;
  "") ;;
  *)
    echo "check-windows.sh: unknown argument: $1" >&2
    exit 2
    ;;
esac

rustup target list --installed | grep -qx "${TARGET}" || {
  echo "check-windows: the ${TARGET} target is not installed (rustup target add ${TARGET})" >&2
  exit 1
}

echo "==> cargo clippy --target ${TARGET} (libraries, their unit tests, binaries)"
cargo clippy --locked --target "${TARGET}" -p terraform-provider-ivschat -p ivschat-local \
  --lib --bins -- -D warnings
cargo clippy --locked --target "${TARGET}" -p terraform-provider-ivschat -p ivschat-local \
  --lib --profile test -- -D warnings
[[ "${RUN}" -eq 1 ]] || exit 0

for tool in x86_64-w64-mingw32-gcc /usr/lib/wine/wine64; do
  command -v "${tool}" >/dev/null 2>&1 || {
    echo "check-windows: ${tool} is missing (apt-get install gcc-mingw-w64-x86-64 wine64)" >&2
    exit 1
  }
done

echo "==> cargo build --target ${TARGET}"
cargo build --locked --target "${TARGET}" -p terraform-provider-ivschat --bin terraform-provider-ivschat
OUT="${ROOT}/target/${TARGET}/debug"

SCRATCH="$(mktemp -d)"
PID=""
cleanup() {
  [[ -z "${PID}" ]] || kill "${PID}" 2>/dev/null || true
  rm -rf "${SCRATCH}"
}
trap cleanup EXIT

cat >"${SCRATCH}/bcp.c" <<'C'
#include <windows.h>
#include <ntsecapi.h>
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x7fffffff ? 0x7fffffff : (ULONG)len;
        if (!RtlGenRandom(data, chunk)) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
C
printf 'LIBRARY bcryptprimitives\nEXPORTS\nProcessPrng\n' >"${SCRATCH}/bcp.def"
x86_64-w64-mingw32-gcc -shared -o "${OUT}/bcryptprimitives.dll" \
  "${SCRATCH}/bcp.c" "${SCRATCH}/bcp.def" -ladvapi32

export WINEPREFIX="${SCRATCH}/wine" WINEDEBUG=-all
echo "==> handshake of the Windows build under Wine"
TF_PLUGIN_MAGIC_COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2 \
  PLUGIN_PROTOCOL_VERSIONS=6 PLUGIN_MIN_PORT=12000 PLUGIN_MAX_PORT=12099 \
  /usr/lib/wine/wine64 "${OUT}/terraform-provider-ivschat.exe" >"${SCRATCH}/handshake.txt" 2>"${SCRATCH}/stderr.txt" &
PID=$!
for _ in $(seq 240); do
  [[ -s "${SCRATCH}/handshake.txt" ]] && break
  sleep 0.5
done
line="$(head -n 1 "${SCRATCH}/handshake.txt" | tr -d '\r')"
if [[ ! "${line}" =~ ^1\|6\|tcp\|127\.0\.0\.1:120[0-9][0-9]\|grpc\|$ ]]; then
  cat "${SCRATCH}/stderr.txt" >&2
  echo "check-windows: handshake line '${line}' is not 1|6|tcp|127.0.0.1:<12000-12099>|grpc|" >&2
  exit 1
fi
echo "    ok: ${line}"
