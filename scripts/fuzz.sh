#!/usr/bin/env bash
# Fuzzing, three kinds:
#  - `rpc`: the schema-driven fuzzer of the whole RPC surface (tests/it/fuzz_rpc.rs) against an
#    in-process ivschat-local. CI runs it with seed 14 and 20,000 cases; here it runs
#    FUZZ_CASES (default 200,000) cases with FUZZ_SEED (default: the time, printed), so every
#    run explores new cases. A finding prints its case number: replay it alone with
#    `FUZZ_SEED=<seed> FUZZ_CASE=<n> cargo test --test it fuzz_rpc:: -- --nocapture`.
#  - `model`: the model-based test (tests/it/e2e_model.rs): seeded sequences of Terraform steps
#    against ivschat-local under random faults and lag, on both Terraform versions in parallel.
#    IVSCHAT_MODEL_SEEDS (default 50) seeds from IVSCHAT_MODEL_SEED (default: the time,
#    printed), IVSCHAT_MODEL_STEPS (default 100) steps each. A violation prints the seed, the
#    shrunk step list and the replay command, and keeps the failing step's request log.
#    IVSCHAT_MODEL_JOBS=N runs N processes side by side, each seed once on one version.
#  - the codec targets: coverage-guided fuzzing of the value codecs (msgpack, state JSON, type
#    JSON) with cargo-fuzz.
#
#   scripts/fuzz.sh                   # rpc, then every codec target for FUZZ_SECONDS (default 60)
#   FUZZ_CASES=1000000 scripts/fuzz.sh rpc
#   IVSCHAT_MODEL_SEEDS=50 IVSCHAT_MODEL_STEPS=100 scripts/fuzz.sh model
#   IVSCHAT_MODEL_SEED=2000 IVSCHAT_MODEL_SEEDS=50 IVSCHAT_MODEL_JOBS=8 scripts/fuzz.sh model
#   FUZZ_SECONDS=300 scripts/fuzz.sh msgpack_decode
#
# Only a stable toolchain is needed: RUSTC_BOOTSTRAP=1 lets it accept the -Z flags cargo-fuzz
# passes. No sanitizer is used (the code under test has no `unsafe`); a panic is a finding.
# Corpora grow in fuzz/corpus/<target> (not committed), findings land in fuzz/artifacts/<target>.
# Exit status: 0 when no target found anything, 1 otherwise.
set -euo pipefail

cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(rpc msgpack_decode json_decode type_json)
fi

status=0
summary=()
codec_targets=()
for t in "${targets[@]}"; do
    if [ "$t" = model ]; then
        seed="${IVSCHAT_MODEL_SEED:-$(date +%s)}"
        seeds="${IVSCHAT_MODEL_SEEDS:-50}"
        steps="${IVSCHAT_MODEL_STEPS:-100}"
        jobs="${IVSCHAT_MODEL_JOBS:-1}"
        scripts/fetch-terraform.sh >/dev/null
        set +e
        if [ "$jobs" -le 1 ]; then
            echo "== model: $seeds seeds from $seed, $steps steps each, Terraform 1.0.3 and 1.15.5"
            IVSCHAT_MODEL_SEED="$seed" IVSCHAT_MODEL_SEEDS="$seeds" IVSCHAT_MODEL_STEPS="$steps" \
                IVSCHAT_MODEL_SHRINK_SECS="${IVSCHAT_MODEL_SHRINK_SECS:-600}" \
                cargo test -p terraform-provider-ivschat --test it e2e_model::model_terraform -- --nocapture --test-threads=2 2>&1 |
                grep -E "^model|^Terraform|^  |test result"
            rc=${PIPESTATUS[0]}
        else
            # Parallel jobs: a step mostly waits (lag, Terraform's start), so a 2-core machine
            # runs several. Job j takes every jobs-th seed from seed+j, each seed once, on
            # Terraform 1.0.3 (even j) or 1.15.5 (odd j). Logs: target/model-runs/<seed>/.
            dir="target/model-runs/$seed"
            mkdir -p "$dir"
            echo "== model: $seeds seeds from $seed, $steps steps each, $jobs jobs (logs in $dir)"
            cargo test -p terraform-provider-ivschat --test it --no-run -q 2>/dev/null
            pids=()
            for ((j = 0; j < jobs && j < seeds; j++)); do
                tf=1.0.3
                [ $((j % 2)) -eq 1 ] && tf=1.15.5
                IVSCHAT_MODEL_TF="$tf" IVSCHAT_MODEL_SEED=$((seed + j)) IVSCHAT_MODEL_SEED_STRIDE="$jobs" \
                    IVSCHAT_MODEL_SEEDS=$(((seeds - j + jobs - 1) / jobs)) IVSCHAT_MODEL_STEPS="$steps" \
                    IVSCHAT_MODEL_SHRINK_SECS="${IVSCHAT_MODEL_SHRINK_SECS:-600}" \
                    cargo test -p terraform-provider-ivschat --test it "e2e_model::model_terraform_${tf//./_}" \
                    -- --nocapture >"$dir/job-$j.log" 2>&1 &
                pids+=($!)
            done
            rc=0
            for p in "${pids[@]}"; do
                wait "$p" || rc=1
            done
            grep -hE "^model .* steps over|^Terraform .* violation|^  \(|^  replay" "$dir"/job-*.log
            awk '/^model .* steps over/ { s += $3; n += $6 } END { printf "model: %d steps over %d seeds\n", s, n }' "$dir"/job-*.log
        fi
        set -e
        [ "$rc" -eq 0 ] || status=1
        summary+=("model: $seeds seeds from $seed x $steps steps (exit $rc)")
        continue
    fi
    if [ "$t" != rpc ]; then
        codec_targets+=("$t")
        continue
    fi
    seed="${FUZZ_SEED:-$(date +%s)}"
    cases="${FUZZ_CASES:-200000}"
    echo "== rpc: $cases cases, seed $seed"
    set +e
    FUZZ_SEED="$seed" FUZZ_CASES="$cases" cargo test -p terraform-provider-ivschat --test it fuzz_rpc:: -- --nocapture 2>&1 |
        grep -E "^fuzz_rpc|^  |test result"
    rc=${PIPESTATUS[0]}
    set -e
    [ "$rc" -eq 0 ] || status=1
    summary+=("rpc: $cases cases, seed $seed (exit $rc)")
done
if [ ${#codec_targets[@]} -eq 0 ]; then
    printf '%s\n' "${summary[@]}"
    exit "$status"
fi
targets=("${codec_targets[@]}")
cd fuzz

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is missing; installing it (cargo install cargo-fuzz)" >&2
    cargo install cargo-fuzz
fi

export RUSTC_BOOTSTRAP=1
cargo fuzz build -O -s none

for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    before=$(find "artifacts/$t" -type f | wc -l)
    log=$(mktemp)
    echo "== $t: fuzzing for ${seconds}s"
    set +e
    cargo fuzz run -O -s none "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        >"$log" 2>&1
    rc=$?
    set -e
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    if [ -z "$execs" ]; then
        execs=$(grep -o 'Done [0-9]* runs' "$log" | grep -o '[0-9]*' | tail -1)
    fi
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || true)
    after=$(find "artifacts/$t" -type f | wc -l)
    found=$((after - before))
    if [ "$rc" -ne 0 ] || [ "$found" -gt 0 ]; then
        status=1
        echo "!! $t: FINDING (exit $rc); last output:"
        grep -E "panicked|ERROR|SUMMARY|Test unit written|deadly signal" "$log" | head -20 || true
        find "artifacts/$t" -type f -newer "$log" -print | sed 's/^/   artifact: fuzz\//'
    fi
    summary+=("$t: ${execs:-?} executions, coverage ${cov:-?} edges, corpus $(find "corpus/$t" -type f | wc -l) inputs, findings $found (exit $rc)")
    rm -f "$log"
done

echo
echo "== fuzz summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
exit "$status"
