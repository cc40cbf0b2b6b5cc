// After each complete checkpoint of `gan train`: `best` moves to it when its FID is the lowest so
// far, old checkpoints beyond run.keep go, and the HTML report and TensorBoard scalars see the epoch.
import type { RunDir } from '../checkpoint/run-dir.js';
import type { Log } from '../log.js';
import { createScalarLogger, type NodeNamespace } from './tensorboard.js';
import { writeReport } from './write.js';

export function publishEpochs(
  runDir: RunDir,
  keep: number,
  counters: { step: number },
  scalarsFrom: { engineName: string; loadNative: () => NodeNamespace | undefined },
  io: Log,
): (epoch: number, dir: string, metrics: Record<string, unknown>) => void {
  const scalars = createScalarLogger(scalarsFrom.engineName, runDir.root, io.log, scalarsFrom.loadNative);
  return (epoch, dir, metrics) => {
    if (typeof metrics.fid === 'number') runDir.offerBest(epoch, dir, metrics.fid);
    runDir.prune(keep);
    for (const [name, value] of Object.entries(metrics)) {
      if (typeof value === 'number' && name !== 'epoch' && name !== 'step') scalars.scalar(name, value, counters.step);
    }
    scalars.flush();
    writeReport(runDir.root);
  };
}
