#!/usr/bin/env bash
# The label-scarce evidence of docs/experiments/2026-11-30-ssgan-against-baselines.md:
# semi-supervised runs of configs/ssgan.yaml on several labelled splits (run.seed chooses the
# labelled images), two at a time (one wasm thread each: the machine has two cores), then the
# comparison table of `gan selftrain` on exactly those splits, and accuracy against wall time.
# Usage: scripts/ssgan-evidence.sh NAME LABELS "SEEDS" [--set key=value ...]
#   scripts/ssgan-evidence.sh ssgan 100 "1 2 3"
#   scripts/ssgan-evidence.sh ssgan1000 1000 "1 2 3" --set ssgan.labels=1000
#   scripts/ssgan-evidence.sh fashion100 100 "1 2 3" --set data.dataset=fashion-mnist \
#     --set data.source=idx --set data.dir=../shared/data/fashion-mnist --epochs 14
set -euo pipefail
name=${1:?run name prefix}
labels=${2:?labelled images}
seeds=${3:?seeds, e.g. "1 2 3"}
shift 3
gan="node $(dirname "$0")/../bin/gan"
export GAN_WASM_THREADS=${GAN_WASM_THREADS:-1}
mkdir -p checkpoints
train_one() {
  local run=$1 seed=$2
  shift 2
  if [ -f "checkpoints/$run/latest.json" ]; then
    # An interrupted run continues where it stopped; a finished one is refused and kept as it is.
    $gan train --config ssgan.yaml --set "run.seed=$seed" --set "run.name=$run" "$@" --resume || true
  else
    $gan train --config ssgan.yaml --set "run.seed=$seed" --set "run.name=$run" "$@"
  fi
}
runs=()
pids=()
for seed in $seeds; do
  run="$name-s$seed"
  runs+=("$run")
  train_one "$run" "$seed" "$@" >>"checkpoints/$run.log" 2>&1 &
  pids+=($!)
  # Two at a time.
  if [ ${#pids[@]} -ge 2 ]; then
    wait "${pids[0]}"
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do wait "$pid"; done
list=$(IFS=,; echo "${runs[*]}")
node --import tsx "$(dirname "$0")/../bench/ssgan-budget.ts" "${runs[@]}" | tee "checkpoints/$name-budget.md"
$gan selftrain --ssgan-runs "$list" --labels "$labels" --steps 2000 \
  --recipes real,real-augment,ssgan-net,pseudo-label,ssgan,ssgan+pseudo-label \
  --json "checkpoints/$name-selftrain.json" | tee "checkpoints/$name-selftrain.txt"
