// How many images the evaluation metrics need, in one place: the config schema checks eval.n
// with it, `gan eval` checks --n, and the evaluator checks what depends on the data (each
// class's share for a conditional generator). No imports, so the config schema (a leaf) may
// use it.

/** Precision/recall's neighbourhood: each sample's ball reaches its k-th nearest neighbour in its own set. */
export const PRECISION_RECALL_K = 3;

/** Fewest images a covariance (FID, per-class FID, the floor) or KID's unbiased estimate can use. */
export const MIN_PER_SET = 2;

/** Fewest generated images every metric can use: precision/recall needs more than k per side. */
export const MIN_EVAL_N = Math.max(PRECISION_RECALL_K + 1, MIN_PER_SET);

/** Why MIN_EVAL_N, for messages. */
export const MIN_EVAL_N_REASON = `precision/recall needs k = ${PRECISION_RECALL_K} other images near each image`;
