#!/usr/bin/env bash
# Benchmark: `terraform apply` of N ivschat_room resources at parallelism 10 against
# ivschat-local with the AWS rate quotas (5 TPS per room operation).
#
#   benches/apply_rooms.sh [N ...]          (default: 100 500)
#
# For each N it prints the apply's wall time, the quota floor N/5 s, their ratio (target
# <= 1.10), the API calls per room, and whether any call was throttled (the emulator counts
# requests before quotas, so CreateRoom == N means not one create was throttled and retried).
# Then it refreshes (plan) and destroys, timing both the same way (the floor of a phase is its
# room-operation calls / 5 s: destroy refreshes every room before deleting it).
#
# Environment: PROFILE=dev|release (cargo profile of both binaries, default dev),
# TF=path/to/terraform (default the pinned 1.15.5 from scripts/fetch-terraform.sh),
# BENCH_DESTROY=0 to skip plan and destroy, CREATE_MARKERS=false to create without the temporary
# marker tag (no UntagResource per create: the call pattern before markers were removed).
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
ns=("$@")
[ ${#ns[@]} -gt 0 ] || ns=(100 500)
profile=${PROFILE:-dev}
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
ops() { python3 -c 'import json,sys,urllib.request; print(json.dumps(json.load(urllib.request.urlopen(sys.argv[1]+"/_emulator/operations"))["operations"]))' "$1"; }

printf '%-6s %-8s %9s %9s %7s %11s %10s %s\n' N phase wall_s floor_s ratio calls/room throttled calls
for n in "${ns[@]}"; do
    work=$(mktemp -d)
    port=$(free_port)
    endpoint="http://127.0.0.1:$port"
    "$bin_dir/ivschat-local" --listen "127.0.0.1:$port" --quotas aws >"$work/emulator.log" 2>&1 &
    emu=$!
    trap 'kill $emu 2>/dev/null || true' EXIT
    for _ in $(seq 1 100); do
        python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1]+"/_emulator/health")' "$endpoint" 2>/dev/null && break
        sleep 0.1
    done
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
    mkdir -p "$work/tf"
    cat >"$work/tf/main.tf" <<EOF
terraform {
  required_providers {
    ivschat = { source = "ivschat/ivschat" }
  }
}

provider "ivschat" {
  region     = "us-east-1"
  access_key = "bench"
  secret_key = "bench"
  create_markers = ${CREATE_MARKERS:-true}
  endpoints {
    ivschat = "$endpoint"
  }
}

resource "ivschat_room" "r" {
  count = $n
  name  = "bench-\${count.index}"
}
EOF
    export TF_CLI_CONFIG_FILE="$work/cli.tfrc"
    floor=$(python3 -c "print($n/5)")
    report() { # phase start end before after op
        python3 - "$n" "$1" "$2" "$3" "$floor" "$4" "$5" "$6" <<'PY'
import json, sys
n, phase, start, end, floor = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
before, after, op = json.loads(sys.argv[6]), json.loads(sys.argv[7]), sys.argv[8]
delta = {k: after.get(k, 0) - before.get(k, 0) for k in after if after.get(k, 0) - before.get(k, 0)}
# The floor is what the quota allows: room operations at 5 TPS each, one phase after another
# (destroy refreshes with GetRoom, then deletes).
room_ops = ("CreateRoom", "GetRoom", "UpdateRoom", "DeleteRoom", "ListRooms")
floor = max(floor, sum(v for k, v in delta.items() if k in room_ops) / 5)
wall = end - start
throttled = "no" if delta.get(op, 0) == n else "YES (%d %s for %d rooms)" % (delta.get(op, 0), op, n)
print("%-6d %-8s %9.2f %9.2f %7.3f %11.2f %10s %s" % (n, phase, wall, floor, wall / floor, sum(delta.values()) / n, throttled, json.dumps(delta)))
PY
    }
    before=$(ops "$endpoint")
    t0=$(now)
    "$tf" -chdir="$work/tf" apply -auto-approve -input=false -no-color -parallelism=10 >"$work/apply.log" 2>&1 || {
        tail -30 "$work/apply.log" >&2
        exit 1
    }
    t1=$(now)
    after=$(ops "$endpoint")
    report apply "$t0" "$t1" "$before" "$after" CreateRoom
    if [ "${BENCH_DESTROY:-1}" != 0 ]; then
        before=$after
        t0=$(now)
        "$tf" -chdir="$work/tf" plan -input=false -no-color -parallelism=10 -detailed-exitcode >"$work/plan.log" 2>&1 || {
            echo "plan after apply was not empty (exit $?)" >&2
            tail -30 "$work/plan.log" >&2
            exit 1
        }
        t1=$(now)
        after=$(ops "$endpoint")
        report refresh "$t0" "$t1" "$before" "$after" GetRoom
        before=$after
        t0=$(now)
        "$tf" -chdir="$work/tf" destroy -auto-approve -input=false -no-color -parallelism=10 >"$work/destroy.log" 2>&1 || {
            tail -30 "$work/destroy.log" >&2
            exit 1
        }
        t1=$(now)
        after=$(ops "$endpoint")
        report destroy "$t0" "$t1" "$before" "$after" DeleteRoom
    fi
    kill "$emu" 2>/dev/null || true
    wait "$emu" 2>/dev/null || true
    trap - EXIT
    rm -rf "$work"
done
