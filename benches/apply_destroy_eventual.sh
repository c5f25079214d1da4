#!/usr/bin/env bash
# Benchmark: apply and destroy N ivschat_room resources at parallelism 10 against ivschat-local
# with the AWS rate quotas (5 TPS per room operation) and eventually consistent reads
# (`--consistency eventual`, lag uniform in 0..LAG_MS, seeded), release build.
#
#   benches/apply_destroy_eventual.sh [N]      (default 100)
#
# For each phase (apply; plan right after it, which must be empty; destroy) it prints the wall
# time, the floor (the busiest room operation's calls / 5 TPS: what the quota allows at best),
# their ratio (target <= 1.10) and the API calls per room by operation (from the emulator's
# /_emulator/operations counts, which count requests before quotas, so throttled retries show).
#
# Environment: PROFILE=release|dev (default release), LAG_MS (default 1000), SEED (default 13),
# TF=path/to/terraform (default the pinned 1.15.5 from scripts/fetch-terraform.sh).
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
n=${1:-100}
profile=${PROFILE:-release}
lag=${LAG_MS:-1000}
seed=${SEED:-13}
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

work=$(mktemp -d)
port=$(free_port)
endpoint="http://127.0.0.1:$port"
"$bin_dir/ivschat-local" --listen "127.0.0.1:$port" --quotas aws --consistency eventual \
    --consistency-lag-ms "$lag" --seed "$seed" >"$work/emulator.log" 2>&1 &
emu=$!
trap 'kill $emu 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
    python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1]+"/_emulator/health")' "$endpoint" 2>/dev/null && break
    sleep 0.1
done
mkdir -p "$work/plugins" "$work/tf"
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

report() { # phase start end before after
    python3 - "$n" "$1" "$2" "$3" "$4" "$5" <<'PY'
import json, sys
n, phase, start, end = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
before, after = json.loads(sys.argv[5]), json.loads(sys.argv[6])
delta = {k: after.get(k, 0) - before.get(k, 0) for k in after if after.get(k, 0) - before.get(k, 0)}
quota = {"CreateRoom": 5, "GetRoom": 5, "UpdateRoom": 5, "DeleteRoom": 5, "ListRooms": 5}
busiest = max(((v / quota[k], k) for k, v in delta.items() if k in quota), default=(0.0, "-"))
floor, op = busiest
wall = end - start
per_room = " ".join("%s=%.2f" % (k, v / n) for k, v in sorted(delta.items()))
ratio = "%.3f" % (wall / floor) if floor else "-"
print("%-8s %8.2f %8.2f %-11s %7s  %s" % (phase, wall, floor, op, ratio, per_room))
PY
}

printf 'N=%d rooms, parallelism 10, --quotas aws --consistency eventual --consistency-lag-ms %d --seed %d, %s build\n' "$n" "$lag" "$seed" "$profile"
printf '%-8s %8s %8s %-11s %7s  %s\n' phase wall_s floor_s busiest ratio calls/room
run_phase() { # phase command...
    local phase=$1; shift
    local before after t0 t1
    before=$(ops "$endpoint")
    t0=$(now)
    "$@" >"$work/$phase.log" 2>&1 || { echo "$phase failed (exit $?)" >&2; tail -30 "$work/$phase.log" >&2; exit 1; }
    t1=$(now)
    after=$(ops "$endpoint")
    report "$phase" "$t0" "$t1" "$before" "$after"
}
run_phase apply "$tf" -chdir="$work/tf" apply -auto-approve -input=false -no-color -parallelism=10
run_phase plan "$tf" -chdir="$work/tf" plan -input=false -no-color -parallelism=10 -detailed-exitcode
run_phase destroy "$tf" -chdir="$work/tf" destroy -auto-approve -input=false -no-color -parallelism=10
left=$(python3 -c 'import json,sys,urllib.request; print(len(json.load(urllib.request.urlopen(sys.argv[1]+"/_emulator/state"))["rooms"]))' "$endpoint")
echo "rooms left in the emulator after destroy: $left"
[ "$left" = 0 ]
