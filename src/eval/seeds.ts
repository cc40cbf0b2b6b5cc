// Random-stream purposes for evaluation, kept apart from src/random.ts's training streams
// (numbers from 100 up) so an evaluation never draws what a training step draws.
export const EvalStream = {
  classifierInit: 101,
  classifierShuffle: 102,
  classifierDropout: 103,
  noise: 104,
  floorSubset: 105,
} as const;

/**
 * The evaluation classifier's seed is fixed, not the run's: every run on a dataset is measured
 * by the same classifier, so FIDs of runs with different seeds are comparable.
 */
export const CLASSIFIER_SEED = 1234;
