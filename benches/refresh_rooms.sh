#!/usr/bin/env bash
# Benchmark: refreshing N managed `ivschat_room`s through `terraform plan` against
# `ivschat-local --quotas aws` (GetRoom and ListRooms: separate 5 TPS lanes, 50 rooms a page).
#
#   benches/refresh_rooms.sh [N ...]        (default: 500 2000)
#
# For each N, the N rooms are applied by Terraform on an emulator without quotas (provider
# pacing raised), kept in a state file, and the emulator is restarted on it with `--quotas aws`.
# Printed per N (one row each, medians of RUNS=3 plans):
#   norefresh_s  `terraform plan -refresh=false`
#   plan_s       `terraform plan`
#   refresh_s    plan_s - norefresh_s: the refresh
#   floor_s      the ListRooms floor N/250 s (N/50 pages at 5 TPS); target refresh_s <= 1.25 x floor + 0.5
#   calls        GetRoom / ListRooms calls of one plan
# Then, for the first N (DESTROY=0 skips it): `terraform destroy` time against the target
# 1.10 x N/5 s, and its calls, with the time of `plan -destroy` (the refresh before the first
# DeleteRoom) to split it into that and the deletes (against the DeleteRoom floor N/5 s).
# Then "5 of 5000": 5 managed rooms in an account of 5,000, `plan` with the listing against
# `plan` from a state without recorded versions (private state stripped: every read is a
# GetRoom, exactly as before listing-backed reads); target within 10%. Twice: with the managed
# rooms made last (ListRooms, newest first, shows them on its first page) and made first (on
# its last page, where the listing cannot help and GetRoom must answer as fast as before).
#
# Measured 2026-11-30 18:41-18:47 UTC: RELEASE build (fat LTO) of commit 0b53cf6 (the later
# commits of that day move code only), Terraform 1.15.5, 2 idle cores, RUNS=3, medians:
#   N     norefresh_s  plan_s  refresh_s  floor_s  target          calls of one plan
#   500          1.34    3.20       1.86     2.00  <=  3.00  ok    GetRoom=9  ListRooms=10
#   2000         8.05   16.73       8.68     8.00  <= 10.50  ok    GetRoom=39 ListRooms=40
#   destroy 500: 105.08 s (target <= 110.00: ok), DeleteRoom=500 GetRoom=509 ListRooms=10;
#                plan -destroy 4.16 s, the deletes 100.92 s against the DeleteRoom floor 100.00 s
#   5 of 5000, first page: plan 0.16 s with listing (GetRoom=1 ListRooms=1) vs 0.98 s GetRoom
#                only (GetRoom=5): -84.3%
#   5 of 5000, last page:  plan 0.94 s with listing (GetRoom=5 ListRooms=5) vs 0.93 s GetRoom
#                only (GetRoom=5): +0.5% (target <= +10%: ok)
# Before listing-backed reads (issue 15's report, same bench shape): 500 rooms refreshed with
# 500 GetRoom in 99.6 s; destroy about 2 x N/5.
# Under load (two parallel Rust builds, load average 5) the same release build gave refresh
# 11.19 s at N=2000 (MISSED): the refresh waits on the listing while Terraform's own plan work
# competes for the CPU, so run it on an idle machine.
#
# Environment: PROFILE=dev|release (default release), TF=path/to/terraform (default the pinned
# 1.15.5), RUNS (default 3), DESTROY=0|1 (default 1), FEW=0|1 (default 1: the 5-of-5000 rows),
# BUILD=0 (use the binaries as built).
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
ns=("$@")
[ ${#ns[@]} -gt 0 ] || ns=(500 2000)
profile=${PROFILE:-release}
runs=${RUNS:-3}
do_destroy=${DESTROY:-1}
tf=${TF:-$root/.cache/terraform/1.15.5/terraform}
if [ ! -x "$tf" ]; then
    echo "terraform not found at $tf: run scripts/fetch-terraform.sh" >&2
    exit 1
fi
case "$profile" in
    dev) outdir=debug ;;
    *) outdir=$profile ;;
esac

if [ "${BUILD:-1}" = 1 ]; then
    cargo build --quiet --profile "$profile" --bin terraform-provider-ivschat
    cargo build --quiet --profile "$profile" -p ivschat-local --bin ivschat-local
fi
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin_dir="$target/$outdir"

# Nothing from the caller's AWS or Terraform setup may leak in.
for v in $(env | grep -E '^(AWS_|TF_)' | cut -d= -f1); do unset "$v"; done
export AWS_EC2_METADATA_DISABLED=true CHECKPOINT_DISABLE=1

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
counts() { python3 -c 'import json,sys,urllib.request; print(json.dumps(json.load(urllib.request.urlopen(sys.argv[1]+"/_emulator/operations"))["operations"]))' "$1"; }
# calls BEFORE_JSON AFTER_JSON OP...: the difference per operation, "Op=n" words
calls() { python3 -c '
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(" ".join("%s=%d" % (op, b.get(op, 0) - a.get(op, 0)) for op in sys.argv[3:]))' "$@"; }
wait_up() {
    for _ in $(seq 1 200); do
        python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1]+"/_emulator/health")' "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "ivschat-local did not start at $1" >&2
    return 1
}

emu=
endpoint=
start_emulator() { # quotas state_file
    local port
    port=$(free_port)
    endpoint="http://127.0.0.1:$port"
    "$bin_dir/ivschat-local" --listen "127.0.0.1:$port" --quotas "$1" --state-file "$2" >>"$work/emulator.log" 2>&1 &
    emu=$!
    wait_up "$endpoint"
}
stop_emulator() {
    if [ -n "$emu" ]; then
        kill "$emu" 2>/dev/null || true
        wait "$emu" 2>/dev/null || true
        emu=
    fi
}
trap stop_emulator EXIT

work=$(mktemp -d)
mkdir -p "$work/plugins"
cp "$bin_dir/terraform-provider-ivschat" "$work/plugins/"
cat >"$work/cli.tfrc" <<EOF
provider_installation {
  dev_overrides {
    "registry.terraform.io/ivschat/ivschat" = "$work/plugins"
  }
  direct {}
}
disable_checkpoint = true
EOF
export TF_CLI_CONFIG_FILE="$work/cli.tfrc"

# write_config DIR ROOMS [RATE_LIMITS_BLOCK]
write_config() {
    cat >"$1/main.tf" <<EOF
terraform {
  required_providers {
    ivschat = { source = "ivschat/ivschat" }
  }
}

provider "ivschat" {
  region     = "us-east-1"
  access_key = "bench"
  secret_key = "bench"
  endpoints {
    ivschat = "$endpoint"
  }
  ${3:-}
}

resource "ivschat_room" "r" {
  count = $2
  name  = "managed-\${count.index}"
  tags  = { bench = "refresh" }
}
EOF
}

# timed DIR ARGS...: runs terraform, prints seconds
timed() {
    local dir=$1 t0 t1
    shift
    t0=$(now)
    "$tf" -chdir="$dir" "$@" -input=false -no-color >"$dir/run.log" 2>&1 || {
        tail -30 "$dir/run.log" >&2
        exit 1
    }
    t1=$(now)
    python3 -c "print($t1 - $t0)"
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Lets the emulator's buckets refill between measurements.
settle() { sleep 1.5; }

# make_unmanaged COUNT: COUNT rooms made through the API (no Terraform), named other-NNNNN.
make_unmanaged() {
    python3 - "$endpoint" "$1" <<'PY2'
import http.client, json, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
conn = http.client.HTTPConnection(u.hostname, u.port)
for i in range(int(sys.argv[2])):
    conn.request("POST", "/CreateRoom", json.dumps({"name": "other-%05d" % i}), {"Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    if r.status != 200:
        sys.exit("CreateRoom %d failed: %d %s" % (i, r.status, data[:200]))
PY2
}

# seed DIR MANAGED UNMANAGED [ORDER]: applies MANAGED rooms with Terraform and makes UNMANAGED
# more through the API, on an emulator without quotas; leaves it running with --quotas aws.
# ORDER: "newest" (default: the managed rooms are made last, so ListRooms, newest first, shows
# them on its first page) or "oldest" (made first: on the listing's last page).
seed() {
    local dir=$1 managed=$2 unmanaged=$3 order=${4:-newest}
    mkdir -p "$dir"
    start_emulator off "$dir/emulator.json"
    if [ "$order" = newest ] && [ "$unmanaged" -gt 0 ]; then make_unmanaged "$unmanaged"; fi
    write_config "$dir" "$managed" 'rate_limits {
    room = 1000
    tags = 1000
  }'
    timed "$dir" apply -auto-approve -parallelism=50 >/dev/null
    if [ "$order" = oldest ] && [ "$unmanaged" -gt 0 ]; then make_unmanaged "$unmanaged"; fi
    stop_emulator
    start_emulator aws "$dir/emulator.json"
    write_config "$dir" "$managed"
}

printf '%-6s %11s %8s %9s %8s %7s %s\n' N norefresh_s plan_s refresh_s floor_s target calls
first=1
for n in "${ns[@]}"; do
    dir="$work/n$n"
    seed "$dir" "$n" 0
    timed "$dir" plan -refresh=false >/dev/null # warm the page cache
    norefresh=$(for _ in $(seq "$runs"); do timed "$dir" plan -refresh=false; done | median)
    plans=()
    for _ in $(seq "$runs"); do
        settle
        before=$(counts "$endpoint")
        plans+=("$(timed "$dir" plan)")
        after=$(counts "$endpoint")
    done
    plan=$(printf '%s\n' "${plans[@]}" | median)
    python3 - "$n" "$norefresh" "$plan" "$(calls "$before" "$after" GetRoom ListRooms)" <<'PY'
import sys
n, norefresh, plan, calls = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
floor = n / 250
refresh = plan - norefresh
target = 1.25 * floor + 0.5
print("%-6d %11.2f %8.2f %9.2f %8.2f %7s %s" % (n, norefresh, plan, refresh, floor, "ok" if refresh <= target else "MISSED", calls))
PY
    if [ "$first" = 1 ] && [ "$do_destroy" = 1 ]; then
        settle
        # What destroy spends before its first DeleteRoom: its plan, with the refresh.
        plan_destroy=$(timed "$dir" plan -destroy)
        settle
        before=$(counts "$endpoint")
        destroy=$(timed "$dir" destroy -auto-approve)
        after=$(counts "$endpoint")
        python3 - "$n" "$destroy" "$plan_destroy" "$(calls "$before" "$after" GetRoom ListRooms DeleteRoom)" <<'PY'
import sys
n, destroy, plan_destroy, calls = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
target = 1.10 * n / 5
print("destroy N=%d: %.2f s (target <= %.2f: %s) %s" % (n, destroy, target, "ok" if destroy <= target else "MISSED", calls))
print("  of which plan -destroy %.2f s; the deletes %.2f s against the DeleteRoom floor %.2f s" % (
    plan_destroy, destroy - plan_destroy, n / 5))
PY
    fi
    first=0
    stop_emulator
done

# 5 managed rooms among 5,000, on the listing's first page and on its last.
few() { # ORDER
    local dir="$work/few-$1" listed=() stripped=() b1 a1 b2 a2
    seed "$dir" 5 4995 "$1"
    timed "$dir" plan >/dev/null # warm up; records versions
    cp "$dir/terraform.tfstate" "$dir/with-versions.tfstate"
    python3 - "$dir/terraform.tfstate" "$dir/without-versions.tfstate" <<'PY2'
import json, sys
state = json.load(open(sys.argv[1]))
for r in state["resources"]:
    for i in r["instances"]:
        i.pop("private", None)
json.dump(state, open(sys.argv[2], "w"))
PY2
    for _ in $(seq "$runs"); do
        settle
        cp "$dir/with-versions.tfstate" "$dir/terraform.tfstate"
        b1=$(counts "$endpoint")
        listed+=("$(timed "$dir" plan -lock=false)")
        a1=$(counts "$endpoint")
        settle
        cp "$dir/without-versions.tfstate" "$dir/terraform.tfstate"
        b2=$(counts "$endpoint")
        stripped+=("$(timed "$dir" plan -lock=false)")
        a2=$(counts "$endpoint")
    done
    python3 - "$1" "$(printf '%s\n' "${listed[@]}" | median)" "$(printf '%s\n' "${stripped[@]}" | median)" \
        "$(calls "$b1" "$a1" GetRoom ListRooms)" "$(calls "$b2" "$a2" GetRoom ListRooms)" <<'PY2'
import sys
order, listed, stripped = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
print("5 of 5000 (%s): plan %.2f s with listing (%s), %.2f s GetRoom only (%s): %+.1f%% (target <= +10%%: %s)" % (
    order, listed, sys.argv[4], stripped, sys.argv[5], 100 * (listed / stripped - 1), "ok" if listed <= 1.10 * stripped else "MISSED"))
PY2
    stop_emulator
}
if [ "${FEW:-1}" = 1 ]; then
    few newest
    few oldest
fi
rm -rf "$work"
