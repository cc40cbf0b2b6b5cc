// A GanTrainer the way `gan train` builds one — objective from the config, and the generator's
// moving average when train.ema > 0 — shared by the command, the benchmarks and the tests.
import type { Config } from '../config.js';
import { objectiveFor } from '../losses.js';
import { buildGenerator, type GanModels } from '../models/index.js';
import { GeneratorEma } from './ema.js';
import { GanTrainer, type Counters } from './trainer.js';

/** A moving average of G started at G's weights, or undefined when train.ema is 0. */
export function freshEma(config: Config, models: GanModels): GeneratorEma | undefined {
  if (config.train.ema <= 0) return undefined;
  const copy = buildGenerator(config.model, models.imageShape, config.run.seed, models.classes);
  return GeneratorEma.startingAt(copy, models.generator, config.train.ema);
}

export function createTrainer(
  config: Config,
  models: GanModels,
  opts: { ema?: GeneratorEma; counters?: Counters } = {},
): GanTrainer {
  return new GanTrainer({
    models,
    objective: objectiveFor(config.train.loss),
    train: config.train,
    seed: config.run.seed,
    counters: opts.counters,
    ema: opts.ema,
  });
}
