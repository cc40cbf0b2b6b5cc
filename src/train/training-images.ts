// The training images of a run, refused before anything is written when they cannot feed it: too
// few for one iteration, or unlabelled (or one class) where the model needs classes.
import type { Config } from '../config.js';
import { loadImageSet, type ImageSet } from '../data/index.js';
import { UserError } from '../errors.js';
import type { Log } from '../log.js';
import { iterationsPerEpoch } from './run-length.js';

export async function loadTrainingImages(config: Config, io: Log): Promise<ImageSet> {
  const images = await loadImageSet(config.data, 'train', io);
  if (iterationsPerEpoch(images.count, config.train) < 1) {
    const { batch_size: batch, d_steps: dSteps } = config.train;
    throw new UserError(
      `train.batch_size: ${batch} × d_steps ${dSteps} needs ${batch * dSteps} images per iteration, but the ` +
        `dataset has ${images.count} (${images.origin})`,
    );
  }
  const needsLabels = config.model.conditional ? 'model.conditional' : config.ssgan.labels > 0 ? 'ssgan.labels' : '';
  if (needsLabels && images.classes.length < 2) {
    const found = images.classes.length === 0 ? 'unlabelled' : `all of 1 class, ${images.classes[0]}`;
    throw new UserError(
      `${needsLabels}: needs labelled images of at least 2 classes, but the training images are ${found} ` +
        `(${images.origin}); an image folder is labelled by its class sub-folders`,
    );
  }
  io.log(`data: ${images.origin}`);
  return images;
}
