// What `gan train` needs from a training mode once the data and networks exist: the set the
// epoch loop walks, the trainer, what is measured after each epoch besides FID, the files the
// run directory records, and one phrase for the run's first line. The table of modes by
// model.arch is modes.ts.
import type { TrainingSet } from '../data/batches.js';
import type { Trainer } from './trainer.js';

export interface EpochMeasurement {
  metrics: Record<string, number>;
  summary: string;
}

export interface PreparedTraining {
  data: TrainingSet;
  trainer: Trainer;
  /** What the run optimises, as its first line says it ("bce loss; augmented …"). */
  objective: string;
  /** Measured after every epoch, written to metrics.jsonl beside the losses. */
  measure?: () => Promise<EpochMeasurement>;
  /**
   * Files the run directory records besides its config, each checked against a resumed run's
   * before anything is written; `gan train` writes them once every check has passed.
   */
  records(root: string, resuming: boolean): { path: string; json: string }[];
  dispose(): void;
}
