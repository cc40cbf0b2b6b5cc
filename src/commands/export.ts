// `gan export --ckpt latest --out web/ [--no-ema]`: the generator as a folder a static web
// server can serve: model.json + weights.bin, generator.json, tf.min.js, index.html.
import { existsSync, statSync } from 'node:fs';
import { refuseOutputInsideRun } from '../checkpoint/output-path.js';
import { UserError } from '../errors.js';
import { serveExport } from '../export/serve.js';
import { exportForBrowser } from '../export/web.js';
import { terminal, type Log } from '../log.js';
import { openGenerator, type GeneratorOptions } from './setup.js';
import type { Command } from 'commander';
import { backendOption, ckptOption, noEmaOption, outDirOption, parsePathOption } from './options.js';

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

/** `gan export`'s command line. */
export function declareExport(program: Command): void {
  program
    .command('export')
    .description('the generator for the browser: model.json + weights, generator.json, tf.min.js, index.html')
    .addOption(ckptOption())
    .requiredOption('-o, --out <dir>', 'output folder, e.g. web/', parsePathOption('--out'))
    .addOption(noEmaOption('export the raw generator'))
    .option('--serve', 'then serve the folder on 127.0.0.1 until Ctrl-C (as gan serve)', false)
    .addOption(outDirOption())
    .addOption(backendOption())
    .action(async (opts) => {
      const out = await exportCommand(opts, terminal);
      if (opts.serve) await serveExport(out, undefined, terminal);
    });
}
