// What a semi-supervised run's classifier scores after every epoch (D's average when it has one):
//   test_accuracy — on the test split: a curve to watch, in metrics.jsonl and the report; it
//     chooses nothing.
//   val_accuracy — with ssgan.validation > 0, on that many training images outside the labelled
//     set, whose labels are read here and nowhere else (they still train without them): the
//     number a recipe is chosen on, so the test split is never tuned on.
import type * as tf from '@tensorflow/tfjs';
import { accuracy } from '../lenet/features.js';
import type { Config } from '../config.js';
import { TrainingSet } from '../data/batches.js';
import { loadImageSet, type ImageSet } from '../data/index.js';
import { pct } from '../text.js';
import type { Log } from '../log.js';
import { classify } from './model.js';
import type { SemiSupervisedTrainer } from './trainer.js';

export async function heldOutAccuracy(config: Config, trainer: SemiSupervisedTrainer, io: Log, validation?: ImageSet) {
  const named = [
    { name: 'test', label: 'held-out accuracy', set: new TrainingSet(await loadImageSet(config.data, 'test', io)) },
    ...(validation ? [{ name: 'val', label: 'validation', set: new TrainingSet(validation) }] : []),
  ];
  const sets = await Promise.all(named.map(async (s) => ({ ...s, truth: await s.set.labels.data() })));
  const rate = async (d: tf.LayersModel, { set, truth }: (typeof sets)[number]) =>
    accuracy(await classify(d, set.images), truth);
  return {
    async measure() {
      const metrics: Record<string, number> = {};
      const parts: string[] = [];
      for (const scored of sets) {
        const { name, label } = scored;
        const raw = await rate(trainer.models.discriminator, scored);
        const averaged = trainer.discriminatorEma ? await rate(trainer.discriminatorEma.model, scored) : raw;
        metrics[`${name}_accuracy`] = averaged;
        metrics[`${name}_accuracy_raw`] = raw;
        parts.push(`${label} ${pct(averaged)}${trainer.discriminatorEma ? ` (raw D ${pct(raw)})` : ''}`);
      }
      return { metrics, summary: parts.join('; ') };
    },
    dispose: () => sets.forEach(({ set }) => set.dispose()),
  };
}
