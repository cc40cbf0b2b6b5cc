// The run's first line: what trains, how long, and on what schedule.
import type { RunDir } from '../checkpoint/run-dir.js';
import type { Config } from '../config.js';
import { plural } from '../text.js';
import { iterationsPerEpoch } from './run-length.js';
import { augmentPolicy } from './trainer.js';

/** `objective` is the training mode's own phrase (prepared.ts). */
export function describeRun(config: Config, runDir: RunDir, imageCount: number, objective: string): string {
  const { model, train } = config;
  const options = [
    model.conditional ? `conditional, ${model.conditioning}` : '',
    model.class_norm ? 'class norm' : '',
    model.minibatch_std ? 'minibatch std' : '',
  ].filter((option) => option !== '');
  const modelOptions = options.length > 0 ? ` (${options.join(', ')})` : '';
  const iterations = iterationsPerEpoch(imageCount, train);
  const policy = augmentPolicy(train, imageCount);
  const augment = policy
    ? `; augmented (p ${policy.p.toFixed(2)}${train.augment === 'auto' ? ', auto' : ''}: ±${policy.translate} px, ` +
      `cutout ${policy.cutout} px)`
    : '';
  const lazy = train.r1_every > 1 ? ` every ${train.r1_every} D updates` : '';
  const r1 = train.r1 > 0 ? `; R1 γ ${train.r1}${lazy}` : '';
  const decay =
    train.lr_decay > 0 ? `; learning rates fall to 0 over the last ${Math.round(train.lr_decay * 100)}%` : '';
  return (
    `run: ${runDir.root} — ${model.arch}${modelOptions}, ${objective}, ${plural(train.epochs, 'epoch')} ` +
    `of ${iterations} iterations (${(iterations * train.epochs).toLocaleString('en-US')} in all, batch ` +
    `${train.batch_size})${r1}${augment}${decay}`
  );
}
