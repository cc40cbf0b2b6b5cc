#!/usr/bin/env bash
# Trains one short run per objective (and conditional, and EMA on/off via `gan eval --no-ema`)
# on the same data, seed and epoch budget, evaluates each, and prints one JSON line per run.
# Usage: scripts/compare-objectives.sh DATA_DIR OUT_DIR [ARCH] [EPOCHS] [N]
set -euo pipefail
data_dir=${1:?IDX data dir, e.g. ../shared/data/mnist-10k}
out=${2:?output dir for runs}
arch=${3:-mlp}
epochs=${4:-5}
n=${5:-2000}
gan="node $(dirname "$0")/../bin/gan"
# The recipe docs/experiments/2026-11-28-objectives-compared.md was measured with (batch 64, lr 2e-4),
# not today's defaults.
common=(--set data.source=idx --set "data.dir=$data_dir" --set "model.arch=$arch" --set "run.out_dir=$out" --epochs "$epochs"
  --set train.batch_size=64 --set train.lr_g=0.0002 --set train.lr_d=0.0002 --set train.loss=bce)
run() {
  local name=$1; shift
  $gan train --config configs/mnist.yaml "${common[@]}" --set "run.name=$name" --force "$@" >"$out/$name.log" 2>&1
  for ema in ema no-ema; do
    local flag=(); [ "$ema" = no-ema ] && flag=(--no-ema)
    $gan eval --ckpt "$out/$name" --n "$n" --out-dir "$out" "${flag[@]}" --json "$out/$name-$ema.json" >>"$out/$name.log" 2>&1
    node -e '
      const fs = require("fs");
      const [evalJson, metrics, run, weights] = process.argv.slice(1);
      const m = JSON.parse(fs.readFileSync(evalJson, "utf8"));
      const lines = fs.readFileSync(metrics, "utf8").trim().split("\n").map((l) => JSON.parse(l));
      const seconds = lines.reduce((a, l) => a + l.seconds, 0);
      console.log(JSON.stringify({ run, weights, fid: m.fid, fid_floor: m.fid_floor, score: m.score, conditional_accuracy: m.conditional_accuracy, train_seconds: Math.round(seconds) }));
    ' "$out/$name-$ema.json" "$out/$name/metrics.jsonl" "$name" "$ema"
  done
}
mkdir -p "$out"
run bce
run hinge --set train.loss=hinge
run lsgan --set train.loss=lsgan
run wgan-gp --set train.loss=wgan-gp --set train.d_steps=5 --set train.beta2=0.9
run cond --set model.conditional=true
