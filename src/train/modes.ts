// Training modes by model.arch: the GAN of Goodfellow et al. (dcgan, mlp: trainer.ts) and the
// semi-supervised GAN (ssgan: src/ssgan/). Each turns the training images and fresh networks
// into what `gan train` runs.
import type { Config, ModelConfig } from '../config.js';
import { TrainingSet } from '../data/batches.js';
import type { ImageSet } from '../data/index.js';
import type { Log } from '../log.js';
import type { GanModels } from '../models/index.js';
import { prepareSemiSupervised } from '../ssgan/mode.js';
import type { PreparedTraining } from './prepared.js';
import { createTrainer } from './trainer.js';
import type { UpdateKernels } from './update-kernels.js';

type PrepareTraining = (
  config: Config,
  images: ImageSet,
  models: GanModels,
  updates: Partial<UpdateKernels>,
  io: Log,
) => Promise<PreparedTraining>;

const MODES: Record<ModelConfig['arch'], PrepareTraining> = {
  dcgan: prepareGan,
  mlp: prepareGan,
  ssgan: prepareSemiSupervised,
};

export function prepareTraining(...args: Parameters<PrepareTraining>): Promise<PreparedTraining> {
  return MODES[args[0].model.arch](...args);
}

async function prepareGan(config: Config, images: ImageSet, models: GanModels, updates: Partial<UpdateKernels>) {
  const data = new TrainingSet(images);
  const trainer = createTrainer(config, models, updates, data.count);
  return {
    data,
    trainer,
    objective: `${config.train.loss} loss`,
    records: () => [],
    dispose() {
      data.dispose();
      trainer.dispose();
    },
  };
}
