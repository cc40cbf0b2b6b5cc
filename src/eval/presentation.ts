// How evaluation results are shown: a table for `gan eval`, one short line for training logs,
// and flat snake_case JSON (the style of metrics.jsonl) for files.
import type { EvalResult, Evaluator } from './evaluator.js';
import type { KidResult } from './kid.js';
import type { Coverage } from './scores.js';
import { pct } from '../text.js';
import { meanStd } from '../stats.js';

const mean = (values: number[]) => meanStd(values).mean;

/** KID's ± and what it spans: a side no larger than the subset size is whole in every subset. */
export function kidSpread(kid: KidResult): string {
  const { std, subsets, subsetSize: m } = kid;
  switch (kid.resampled) {
    case 'both':
      return `± ${std!.toFixed(4)} over ${subsets} subsets of ${m} per side`;
    case 'real':
    case 'generated': {
      const other = kid.resampled === 'real' ? 'generated' : 'real';
      return (
        `± ${std!.toFixed(4)} over ${subsets} subsets of ${m} ${kid.resampled}, each against all ${m} ${other} ` +
        `(the ± leaves out the ${other} side's sampling)`
      );
    }
    case 'none':
      return `no ±: both sides whole (${m} each) in one subset`;
  }
}

/** The `gan eval` table: each generator number beside the real-data value it is read against. */
export function formatEvalTable(result: EvalResult, evaluator: Pick<Evaluator, 'reference'>): string[] {
  const ref = evaluator.reference;
  const rows: [string, string, string][] = [
    [
      'FID (classifier features)',
      result.fid.toFixed(3),
      `floor ${result.fidFloor.toFixed(3)} (${ref.floorCount} real train vs ${ref.testCount} real test)`,
    ],
    [
      'classifier score',
      result.classifierScore.toFixed(3),
      `real test ${result.realScore.toFixed(3)} (max ${result.maxScore})`,
    ],
    [
      'KID (classifier features)',
      result.kid.mean.toFixed(4),
      `real vs real ${result.kidFloor.mean.toFixed(4)}; ${kidSpread(result.kid)}`,
    ],
    [
      'precision',
      pct(result.precisionRecall.precision),
      `real vs real ${pct(result.precisionRecallFloor.precision)}; generated images inside the real manifold ` +
        '(realism)',
    ],
    [
      'recall',
      pct(result.precisionRecall.recall),
      `real vs real ${pct(result.precisionRecallFloor.recall)}; real images inside the generated manifold ` +
        `(variety); k = ${result.precisionRecall.k}, ` +
        `${result.precisionRecall.samples} per side`,
    ],
    [
      'class coverage: max deviation',
      pct(result.coverage.maxDeviation),
      `largest gap between a class's share and the even ${pct(1 / result.coverage.histogram.length)}; ` +
        `counts ${result.coverage.histogram.join(' ')}`,
    ],
  ];
  if (result.coverage.missing.length > 0)
    rows.push([
      'classes never generated',
      String(result.coverage.missing.length),
      `class ${result.coverage.missing.join(', ')} (mode collapse?)`,
    ]);
  if (result.conditionalAccuracy !== null)
    rows.push([
      'conditional accuracy',
      pct(result.conditionalAccuracy),
      `classifier agrees with the requested class; requested ${result.requestedClasses?.join(' ')} ` +
        '(the training proportions)',
    ]);
  if (result.perClassFid)
    rows.push([
      'per-class FID: mean',
      mean(result.perClassFid).toFixed(3),
      `each class vs its test images: ${result.perClassFid.map((f) => f.toFixed(1)).join(' ')}`,
    ]);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return [
    `${'metric'.padEnd(w0)}  ${'value'.padStart(w1)}  reference`,
    ...rows.map(([a, b, c]) => `${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`),
  ];
}

/**
 * How evenly the generated images spread over the classes, in words: the largest gap between a
 * class's share and the even share, in percentage points, and the classes never drawn.
 */
function classSpread({ histogram, maxDeviation, missing }: Coverage): string {
  const classes = missing.length === 1 ? 'class' : 'classes';
  const never = missing.length > 0 ? `; ${missing.length} ${classes} never drawn` : '';
  return `class shares within ${(100 * maxDeviation).toFixed(1)} pts of even (${pct(1 / histogram.length)})${never}`;
}

/**
 * One line for a training log, each number with its real-data reference, e.g. "FID 12.30 (floor
 * 2.50)  KID 0.0123 (real 0.0002)  P/R 50.0%/40.0% (real 80.0%/78.0%)  score 8.00/9.50  class
 * shares within 3.1 pts of even (10.0%)".
 */
export function evalSummaryLine(result: EvalResult): string {
  const cond = result.conditionalAccuracy !== null ? `  cond acc ${pct(result.conditionalAccuracy)}` : '';
  const { precision, recall } = result.precisionRecall;
  const real = result.precisionRecallFloor;
  return (
    `FID ${result.fid.toFixed(2)} (floor ${result.fidFloor.toFixed(2)})  ` +
    `KID ${result.kid.mean.toFixed(4)} (real ${result.kidFloor.mean.toFixed(4)})  ` +
    `P/R ${pct(precision)}/${pct(recall)} (real ${pct(real.precision)}/${pct(real.recall)})  ` +
    `score ${result.classifierScore.toFixed(2)}/${result.realScore.toFixed(2)}  ${classSpread(result.coverage)}${cond}`
  );
}

/**
 * The numbers as flat snake_case fields, for metrics.jsonl lines and eval JSON files. `fid`,
 * `score`, `kid`, `precision` and `recall` are the names the run report (src/report) charts.
 */
export function evalMetrics(result: EvalResult): Record<string, number | number[] | string | null> {
  return {
    fid: result.fid,
    fid_floor: result.fidFloor,
    kid: result.kid.mean,
    kid_std: result.kid.std,
    kid_subsets: result.kid.subsets,
    kid_subset_size: result.kid.subsetSize,
    kid_resampled: result.kid.resampled,
    kid_floor: result.kidFloor.mean,
    kid_floor_std: result.kidFloor.std,
    precision: result.precisionRecall.precision,
    recall: result.precisionRecall.recall,
    precision_recall_k: result.precisionRecall.k,
    precision_floor: result.precisionRecallFloor.precision,
    recall_floor: result.precisionRecallFloor.recall,
    per_class_fid: result.perClassFid,
    score: result.classifierScore,
    real_score: result.realScore,
    max_score: result.maxScore,
    coverage_max_deviation: result.coverage.maxDeviation,
    coverage_histogram: result.coverage.histogram,
    conditional_accuracy: result.conditionalAccuracy,
    requested_classes: result.requestedClasses,
    eval_n: result.n,
    eval_seed: result.seed,
    truncation: result.truncation,
    eval_seconds: result.seconds,
  };
}
