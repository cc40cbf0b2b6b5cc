// `gan export --ckpt latest --out web/ [--no-ema]`: the generator as a folder a static web
// server can serve: model.json + weights.bin, generator.json, tf.min.js, index.html.
import { resolveCheckpoint } from '../checkpoint/run-dir.js';
import { exportForBrowser } from '../export/web.js';
import { startEngine } from './engine.js';
import type { CommandIO } from './train.js';

export interface ExportOptions {
  ckpt: string;
  out: string;
  ema: boolean;
  outDir: string;
  backend?: string;
}

export async function exportCommand(opts: ExportOptions, io: CommandIO): Promise<string> {
  const ref = resolveCheckpoint(opts.ckpt, opts.outDir);
  await startEngine(opts.backend, undefined, io.log);
  const info = await exportForBrowser(ref, opts.out, opts.ema);
  const classes = info.conditional ? `, ${info.classes} classes` : '';
  io.log(
    `exported the ${info.weights} generator of ${ref.dir} (z ${info.latentDim}${classes}, ${info.imageShape.height}×${info.imageShape.width}) to ${opts.out}`,
  );
  io.log(
    `view it: serve that folder over HTTP (e.g. python3 -m http.server --directory ${opts.out}) and open index.html; browsers block model loading from file://`,
  );
  return opts.out;
}
