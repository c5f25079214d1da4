#!/usr/bin/env python3
"""Start-to-handshake time and memory of provider binaries, side by side.

For each provider, in one run, interleaved round by round:
  spawn the binary as Terraform would (magic cookie, PLUGIN_PROTOCOL_VERSIONS,
  PLUGIN_MIN_PORT/MAX_PORT, PLUGIN_CLIENT_CERT with a real self-signed P-521
  certificate so the AutoMTLS path is measured, a private TMPDIR), time from
  spawn to the go-plugin handshake line on stdout, read VmHWM (peak RSS) from
  /proc/PID/status at that moment, then SIGKILL it.

Prints medians, ratios against ours, and binary sizes.

Usage: benches/handshake.py [--runs N] [--warmup N] [--json FILE]
           [ours=PATH] [NAME=PATH ...]
Normally run through benches/handshake.sh, which builds and fetches everything.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
HANDSHAKE_TIMEOUT_S = 20.0

# Targets for our binary (see README.md, "Benchmarks").
TARGET_MEDIAN_MS = 5.0
TARGET_SPEEDUP = 3.0
TARGET_RSS_MB = 10.0
TARGET_SIZE_MB = 20.0


def client_cert(workdir: Path) -> str:
    """A certificate like the one Terraform's go-plugin client makes:
    ECDSA P-521, self-signed, CA:TRUE, for DNS name localhost."""
    key = workdir / "client.key"
    crt = workdir / "client.crt"
    openssl = shutil.which("openssl")
    if openssl is None:
        sys.exit("handshake.py: openssl is required to make the P-521 client certificate")
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "ec",
            "-pkeyopt", "ec_paramgen_curve:secp521r1",
            "-nodes", "-keyout", str(key), "-out", str(crt),
            "-days", "1", "-subj", "/O=HashiCorp/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign",
            "-addext", "extendedKeyUsage=clientAuth,serverAuth",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    pem = crt.read_text()
    text = subprocess.run(
        [openssl, "x509", "-noout", "-text", "-in", str(crt)],
        check=True, capture_output=True, text=True,
    ).stdout
    if "P-521" not in text and "secp521r1" not in text:
        sys.exit("handshake.py: openssl did not produce a P-521 certificate")
    return pem


def vm_hwm_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class Failure(Exception):
    pass


def measure_once(binary: Path, env: dict[str, str], tmp_root: Path) -> tuple[float, int, str]:
    """Returns (milliseconds to handshake line, VmHWM kB, handshake line)."""
    run_tmp = Path(tempfile.mkdtemp(prefix="run-", dir=tmp_root))
    env = dict(env, TMPDIR=str(run_tmp))
    t0 = time.perf_counter_ns()
    proc = subprocess.Popen(
        [str(binary)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        bufsize=0,
        cwd=run_tmp,
    )
    try:
        line = _read_line(proc, HANDSHAKE_TIMEOUT_S)
        t1 = time.perf_counter_ns()
        hwm = vm_hwm_kb(proc.pid)
        if not line:
            raise Failure(f"{binary}: no handshake line (exit {proc.poll()})")
        if hwm is None:
            raise Failure(f"{binary}: exited right after its handshake")
        return (t1 - t0) / 1e6, hwm, line
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
        shutil.rmtree(run_tmp, ignore_errors=True)


def _read_line(proc: subprocess.Popen, timeout: float) -> str:
    """Read one line from proc.stdout with a deadline (raw fd, no buffering)."""
    import selectors

    fd = proc.stdout.fileno()
    buf = bytearray()
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure(f"no handshake line within {timeout} s")
            if not sel.select(left):
                continue
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            buf += chunk
    return buf.split(b"\n", 1)[0].decode(errors="replace")


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    k = (len(s) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=30, help="measured runs per provider (>= 20)")
    ap.add_argument("--warmup", type=int, default=3, help="discarded runs per provider")
    ap.add_argument("--json", type=Path, help="also write the results as JSON here")
    ap.add_argument("providers", nargs="+", metavar="NAME=PATH",
                    help="the first one is 'ours', the reference for ratios")
    args = ap.parse_args()
    if args.runs < 20:
        ap.error("--runs must be at least 20")

    providers: list[tuple[str, Path]] = []
    for spec in args.providers:
        name, sep, path = spec.partition("=")
        if not sep:
            ap.error(f"expected NAME=PATH, got {spec!r}")
        p = Path(path).resolve()
        if not os.access(p, os.X_OK):
            ap.error(f"{name}: {p} is not an executable file")
        providers.append((name, p))

    with tempfile.TemporaryDirectory(prefix="handshake-bench-") as tmp:
        tmp_root = Path(tmp)
        pem = client_cert(tmp_root)
        base_env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("TF_", "PLUGIN_", "AWS_"))}
        base_env.update({
            MAGIC_COOKIE_KEY: MAGIC_COOKIE,
            "PLUGIN_PROTOCOL_VERSIONS": "5,6",
            "PLUGIN_MIN_PORT": "10000",
            "PLUGIN_MAX_PORT": "25000",
            "PLUGIN_CLIENT_CERT": pem,
        })

        times: dict[str, list[float]] = {n: [] for n, _ in providers}
        rss: dict[str, list[int]] = {n: [] for n, _ in providers}
        lines: dict[str, str] = {}
        for i in range(args.warmup + args.runs):
            # Interleave providers, rotating the order every round.
            order = providers[i % len(providers):] + providers[: i % len(providers)]
            for name, path in order:
                try:
                    ms, hwm, line = measure_once(path, base_env, tmp_root)
                except Failure as e:
                    print(f"handshake.py: {name}: {e}", file=sys.stderr)
                    return 1
                lines[name] = line
                if i >= args.warmup:
                    times[name].append(ms)
                    rss[name].append(hwm)

    ours = providers[0][0]
    ours_med = statistics.median(times[ours])
    ours_rss = statistics.median(rss[ours]) / 1024
    results = []
    for name, path in providers:
        fields = lines[name].split("|")
        cert = fields[5] if len(fields) > 5 else ""
        med = statistics.median(times[name])
        rss_mb = statistics.median(rss[name]) / 1024
        results.append({
            "name": name,
            "binary": str(path),
            "size_mb": path.stat().st_size / 1e6,
            "protocol": fields[1] if len(fields) > 1 else "?",
            "network": fields[2] if len(fields) > 2 else "?",
            "tls": bool(cert),
            "median_ms": med,
            "min_ms": min(times[name]),
            "p90_ms": pct(times[name], 0.9),
            "rss_mb": rss_mb,
            "time_ratio_vs_ours": med / ours_med,
            "rss_ratio_vs_ours": rss_mb / ours_rss,
            "runs": len(times[name]),
        })

    print(f"start-to-handshake, {args.runs} runs each (+{args.warmup} warm-up), interleaved; "
          f"AutoMTLS on (P-521 client cert); {os.cpu_count()} CPUs")
    hdr = (f"{'provider':<12} {'proto':>5} {'net':>5} {'tls':>4} {'median ms':>10} {'min ms':>8} "
           f"{'p90 ms':>8} {'x ours':>7} {'VmHWM MB':>9} {'x ours':>7} {'size MB':>8}")
    print(hdr)
    print("-" * len(hdr))
    for r in results:
        print(f"{r['name']:<12} {r['protocol']:>5} {r['network']:>5} {'yes' if r['tls'] else 'no':>4} "
              f"{r['median_ms']:>10.2f} {r['min_ms']:>8.2f} {r['p90_ms']:>8.2f} "
              f"{r['time_ratio_vs_ours']:>7.2f} {r['rss_mb']:>9.1f} {r['rss_ratio_vs_ours']:>7.2f} "
              f"{r['size_mb']:>8.1f}")

    ours_r = results[0]
    others = results[1:]
    checks = [
        (f"ours median < {TARGET_MEDIAN_MS} ms", ours_r["median_ms"] < TARGET_MEDIAN_MS,
         f"{ours_r['median_ms']:.2f} ms"),
        (f"ours VmHWM < {TARGET_RSS_MB} MB", ours_r["rss_mb"] < TARGET_RSS_MB, f"{ours_r['rss_mb']:.1f} MB"),
        (f"ours binary < {TARGET_SIZE_MB} MB", ours_r["size_mb"] < TARGET_SIZE_MB, f"{ours_r['size_mb']:.1f} MB"),
    ]
    for r in others:
        checks.append((f">= {TARGET_SPEEDUP:g}x faster than {r['name']}",
                       r["time_ratio_vs_ours"] >= TARGET_SPEEDUP, f"{r['time_ratio_vs_ours']:.2f}x"))
    if not ours_r["tls"]:
        checks.append(("ours serves AutoMTLS (cert in handshake)", False, "no cert"))
    print()
    for label, ok, value in checks:
        print(f"  [{'PASS' if ok else 'MISS'}] {label}: {value}")

    if args.json:
        args.json.write_text(json.dumps({"results": results, "checks": [
            {"target": label, "met": ok, "value": value} for label, ok, value in checks]}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
