// How `gan train` sets up a semi-supervised run: ssgan.labels class-balanced images, chosen with
// the run seed, keep their labels; the trainer gets the set with every other label gone
// (splitLabels); labelled.json records which images kept theirs; after every epoch the classifier
// is scored (held-out.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LABELLED_JSON } from '../checkpoint/run-dir.js';
import type { Config } from '../config.js';
import { TrainingSet } from '../data/batches.js';
import type { ImageSet } from '../data/index.js';
import { balancedSubset, splitLabels, validationSlice, type LabelledImages } from '../data/subsets.js';
import { UserError } from '../errors.js';
import type { Log } from '../log.js';
import type { GanModels } from '../models/index.js';
import { deriveSeed, Stream } from '../random.js';
import type { PreparedTraining } from '../train/prepared.js';
import { runIterations } from '../train/run-length.js';
import type { UpdateKernels } from '../train/update-kernels.js';
import { heldOutAccuracy } from './held-out.js';
import { createSemiSupervisedTrainer } from './trainer.js';

export async function prepareSemiSupervised(
  config: Config,
  images: ImageSet,
  models: GanModels,
  updates: Partial<UpdateKernels>,
  io: Log,
): Promise<PreparedTraining> {
  const { labelled, unlabelled, validation } = chooseLabelled(config, images, io);
  const data = new TrainingSet(unlabelled);
  const totalIterations = runIterations(data.count, config.train);
  const trainer = createSemiSupervisedTrainer(config, models, { labelled, unlabelled: data, totalIterations }, updates);
  const heldOut = await heldOutAccuracy(config, trainer, io, validation);
  return {
    data,
    trainer,
    objective: `semi-supervised with ${config.ssgan.labels} labels`,
    measure: () => heldOut.measure(),
    records: (root, resuming) => [labelledRecord(root, labelled, resuming)],
    dispose() {
      heldOut.dispose();
      data.dispose();
      trainer.dispose();
    },
  };
}

/**
 * ssgan.labels class-balanced images, chosen with the run seed, keep their labels; with
 * ssgan.validation, that many other training images are the validation slice (held-out.ts).
 */
function chooseLabelled(
  config: Config,
  images: ImageSet,
  io: Log,
): { labelled: LabelledImages; unlabelled: ImageSet; validation?: ImageSet } {
  const classes = images.classes.length;
  const { labels, validation } = config.ssgan;
  if (labels % classes !== 0) {
    throw new UserError(
      `ssgan.labels: ${labels} is not a multiple of the ${classes} classes (the labelled set is class-balanced)`,
    );
  }
  if (validation > 0 && labels + validation > images.count) {
    throw new UserError(
      `ssgan.validation: ${validation} with ssgan.labels ${labels} leaves no other training image ` +
        `(the dataset has ${images.count}; ${images.origin})`,
    );
  }
  let indices: Int32Array;
  try {
    indices = balancedSubset(
      images.labels,
      classes,
      labels / classes,
      deriveSeed(config.run.seed, Stream.labelledSplit),
    );
  } catch (err) {
    throw new UserError(`ssgan.labels: ${labels}: ${(err as Error).message} (${images.origin})`);
  }
  io.log(
    `labelled: ${labels} training images (${labels / classes} per class, chosen with run.seed); ` +
      `the other ${images.count - labels} train without their labels`,
  );
  const slice = validation > 0 ? validationSlice(images, indices, validation, config.run.seed) : undefined;
  if (slice) {
    io.log(
      `validation: ${validation} of those (chosen with run.seed) are scored after every epoch; their labels ` +
        'choose recipes and never reach the trainer',
    );
  }
  return { ...splitLabels(images, indices), validation: slice };
}

/** labelled.json's content; a resumed run must find the same images there. */
function labelledRecord(root: string, labelled: LabelledImages, resuming: boolean): { path: string; json: string } {
  const path = join(root, LABELLED_JSON);
  const json = JSON.stringify({
    count: labelled.count,
    indices: [...labelled.indices],
    labels: [...labelled.labels],
  });
  if (resuming && existsSync(path) && readFileSync(path, 'utf8') !== json) {
    throw new UserError(`${path}: the labelled images differ from those the run started with; start a new run instead`);
  }
  return { path, json };
}
