#!/usr/bin/env bash
# Benchmark: `data "ivschat_rooms"` listing N rooms (default 2,000) through `terraform plan`
# against `ivschat-local --quotas aws` (ListRooms at 5 TPS, 50 rooms a page).
#
#   benches/list_rooms.sh [N ...]          (default: 2000)
#
# The rooms are made beforehand through the API on an emulator without quotas, kept in a state
# file, and the emulator is restarted on it with `--quotas aws` for the measurement. For each N
# it prints, per query (all rooms, and a tag filter that matches 1 room in 10 but still reads
# every page):
#   wall_s    the whole `terraform plan` (Terraform start, provider start, the read, the plan)
#   base_s    the same `terraform plan` without the data source (median of 3)
#   list_s    wall_s - base_s: the listing itself
#   floor_s   the quota floor: pages / 5 TPS, pages = ceil(N / 50)
#   ratio     wall_s / floor_s (target <= 1.10), and list_s / floor_s
#   calls     ListRooms calls the emulator received: == pages means none was throttled
#
# Measured 2026-11-25 (release build, Terraform 1.15.5, 2 shared cores, N=2000, 40 pages,
# floor 8.00 s, 40 ListRooms calls = not one throttled):
#   all rooms   wall 8.32 s  ratio 1.040  (listing alone 8.16 s, 1.020)
#   tag filter  wall 8.06 s  ratio 1.007  (listing alone 7.90 s, 0.987)
# Dev build: 1.057 and 1.017. The listing can beat the floor slightly: the emulator's bucket
# starts full (a burst of 5), and the provider spaces its 40 calls 200 ms apart from t = 0.
#
# Environment: PROFILE=dev|release (cargo profile of both binaries, default release),
# TF=path/to/terraform (default the pinned 1.15.5 from scripts/fetch-terraform.sh).
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
ns=("$@")
[ ${#ns[@]} -gt 0 ] || ns=(2000)
profile=${PROFILE:-release}
tf=${TF:-$root/.cache/terraform/1.15.5/terraform}
if [ ! -x "$tf" ]; then
    echo "terraform not found at $tf: run scripts/fetch-terraform.sh" >&2
    exit 1
fi
case "$profile" in
    dev) outdir=debug ;;
    *) outdir=$profile ;;
esac

cargo build --quiet --profile "$profile" --bin terraform-provider-ivschat
cargo build --quiet --profile "$profile" -p ivschat-local --bin ivschat-local
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin_dir="$target/$outdir"

# Nothing from the caller's AWS or Terraform setup may leak in.
for v in $(env | grep -E '^(AWS_|TF_)' | cut -d= -f1); do unset "$v"; done
export AWS_EC2_METADATA_DISABLED=true CHECKPOINT_DISABLE=1

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
list_calls() { python3 -c 'import json,sys,urllib.request; print(json.load(urllib.request.urlopen(sys.argv[1]+"/_emulator/operations"))["operations"].get("ListRooms", 0))' "$1"; }
wait_up() {
    for _ in $(seq 1 200); do
        python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1]+"/_emulator/health")' "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "ivschat-local did not start at $1" >&2
    return 1
}

emu=
stop_emulator() {
    if [ -n "$emu" ]; then
        kill "$emu" 2>/dev/null || true
        wait "$emu" 2>/dev/null || true
        emu=
    fi
}
trap stop_emulator EXIT

printf '%-6s %-10s %6s %8s %8s %8s %8s %7s %10s %6s %s\n' N query rooms wall_s base_s list_s floor_s ratio list_ratio calls pages
for n in "${ns[@]}"; do
    work=$(mktemp -d)
    state="$work/state.json"

    # 1. Seed N rooms through the API, no quotas, into a state file.
    port=$(free_port)
    endpoint="http://127.0.0.1:$port"
    "$bin_dir/ivschat-local" --listen "127.0.0.1:$port" --quotas off --state-file "$state" >"$work/seed.log" 2>&1 &
    emu=$!
    wait_up "$endpoint"
    python3 - "$port" "$n" <<'PY'
import http.client, json, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
conn = http.client.HTTPConnection("127.0.0.1", port)
for i in range(n):
    body = json.dumps({"name": "bench-%05d" % i, "tags": {"bench": "list", "shard": str(i % 10)}})
    conn.request("POST", "/CreateRoom", body, {"Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    if r.status != 200:
        sys.exit("CreateRoom %d failed: %d %s" % (i, r.status, data[:200]))
PY
    stop_emulator

    # 2. The same rooms behind the AWS quotas.
    port=$(free_port)
    endpoint="http://127.0.0.1:$port"
    "$bin_dir/ivschat-local" --listen "127.0.0.1:$port" --quotas aws --state-file "$state" >"$work/emulator.log" 2>&1 &
    emu=$!
    wait_up "$endpoint"

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
    header=$(cat <<EOF
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
}
EOF
)
    plan() { # dir -> seconds
        local t0 t1
        t0=$(now)
        "$tf" -chdir="$1" plan -input=false -no-color >"$1/plan.log" 2>&1 || {
            tail -30 "$1/plan.log" >&2
            exit 1
        }
        t1=$(now)
        python3 -c "print($t1 - $t0)"
    }

    mkdir -p "$work/base"
    printf '%s\n\noutput "nothing" {\n  value = 0\n}\n' "$header" >"$work/base/main.tf"
    plan "$work/base" >/dev/null # warm the page cache
    base=$(for _ in 1 2 3; do plan "$work/base"; done | sort -g | sed -n 2p)

    pages=$(( (n + 49) / 50 ))
    for query in all tag; do
        dir="$work/$query"
        mkdir -p "$dir"
        case "$query" in
            all) filter="" ;;
            tag) filter='  tags = { shard = "3" }' ;;
        esac
        printf '%s\n\ndata "ivschat_rooms" "q" {\n%s\n}\n\noutput "count" {\n  value = length(data.ivschat_rooms.q.arns)\n}\n' "$header" "$filter" >"$dir/main.tf"
        # Let the emulator's bucket refill after the previous query.
        sleep 1.5
        before=$(list_calls "$endpoint")
        wall=$(plan "$dir")
        after=$(list_calls "$endpoint")
        rooms=$(grep -Eo 'count *= *[0-9]+' "$dir/plan.log" | grep -Eo '[0-9]+$' || echo "?")
        python3 - "$n" "$query" "$rooms" "$wall" "$base" "$pages" "$((after - before))" <<'PY'
import sys
n, query, rooms, wall, base, pages, calls = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
floor = pages / 5
listing = wall - base
print("%-6s %-10s %6s %8.2f %8.2f %8.2f %8.2f %7.3f %10.3f %6d %d" % (n, query, rooms, wall, base, listing, floor, wall / floor, listing / floor, calls, pages))
PY
    done
    stop_emulator
    rm -rf "$work"
done
