// `gan export --ckpt latest --out web/ [--no-ema]`: the generator as a folder a static web
// server can serve: model.json + weights.bin, generator.json, tf.min.js, index.html.
import { existsSync, statSync } from 'node:fs';
import { refuseOutputInsideRun } from '../checkpoint/output-path.js';
import { UserError } from '../errors.js';
import { exportForBrowser } from '../export/web.js';
import type { Log } from '../log.js';
import { openGenerator, type GeneratorOptions } from './setup.js';

export interface ExportOptions extends GeneratorOptions {
  out: string;
}

export async function exportCommand(opts: ExportOptions, io: Log): Promise<string> {
  refuseOutputInsideRun('--out', opts.out);
  if (existsSync(opts.out) && !statSync(opts.out).isDirectory()) {
    throw new UserError(`--out ${opts.out}: is a file; expected a directory to write the export into`);
  }
  const { ref, model, weights } = await openGenerator(opts, io);
  try {
    const info = await exportForBrowser(model, weights, ref, opts.out);
    const classes = info.conditional ? `, ${info.classes} classes` : '';
    const { height, width } = info.imageShape;
    io.log(
      `exported the ${info.weights} generator of ${ref.dir} (z ${info.latentDim}${classes}, ${height}×${width}) to ` +
        `${opts.out}`,
    );
    io.log(`view it: gan serve ${opts.out} (browsers will not load the model from a file opened from disk)`);
    return opts.out;
  } finally {
    model.dispose();
  }
}
