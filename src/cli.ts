// Command-line wiring only: commands, options, help and exit codes. The work is in commands/.
//   exit 0 ok · 1 internal error (a bug: stack printed) · 2 bad input · 3 training diverged ·
//   4 the machine refused a file operation (disk full, no permission, read-only) · 130/143 interrupted
import { Command, CommanderError, Option } from 'commander';
import { classifierTrainCommand } from './commands/classifier.js';
import { classifyCommand, SPLITS } from './commands/classify.js';
import { doctorCommand } from './commands/doctor.js';
import { evalCommand } from './commands/eval.js';
import { exportCommand } from './commands/export.js';
import { serveCommand } from './commands/serve.js';
import { interpolateCommand } from './commands/interpolate.js';
import {
  backendOption,
  ckptOption,
  collect,
  noEmaOption,
  outDirOption,
  parseFractionOption,
  parseIntOption,
  parsePathOption,
  seedOption,
  truncationOption,
} from './commands/options.js';
import { reportCommand } from './commands/report.js';
import { SAMPLE_FORMATS, sampleCommand } from './commands/sample.js';
import { selftrainCommand } from './commands/selftrain.js';
import { trainCommand } from './commands/train.js';
import { describeKeys, keysMarkdown } from './config.js';
import { MIN_EVAL_N } from './eval/sample-size.js';
import { releaseEngine, showNativeOutput } from './engine/index.js';
import { fileError, UserError } from './errors.js';
import { guardTerminal, terminal, writeErr } from './log.js';

function buildProgram(): Command {
  const program = new Command('gan')
    .description('Train, sample and inspect GANs for MNIST-like images on TensorFlow.js')
    .version('0.1.0')
    .option('--verbose', "also show what native engine libraries print on stderr (e.g. Dawn's warnings); GAN_VERBOSE=1")
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .hook('preAction', (command) => {
      if ((command.opts() as { verbose?: boolean }).verbose) showNativeOutput(true);
    });

  program
    .command('train')
    .description('train a GAN as a YAML config describes; writes a checkpoint and a sample grid every epoch')
    .requiredOption('-c, --config <file>', 'config file (a bare name also resolves in configs/, e.g. mnist.yaml)')
    .option('--set <key=value>', 'override a config key, e.g. --set train.epochs=5 (repeatable)', collect, [])
    .option('--epochs <n>', 'shorthand for --set train.epochs=N', parseIntOption('--epochs', 1))
    .addOption(backendOption())
    .option('--resume', 'continue the run from its latest checkpoint', false)
    .option('--force', 'delete an existing run directory of the same name and start over', false)
    .action(async (opts) => {
      process.exitCode = await trainCommand(opts, terminal);
    });

  program
    .command('sample')
    .description('draw images from a trained generator')
    .addOption(ckptOption())
    .option('-n, --n <count>', 'number of images', parseIntOption('--n', 1, 100000), 64)
    .addOption(seedOption('noise seed (default: random, printed)'))
    .option('--class <k>', 'class to draw (conditional generators)', parseIntOption('--class', 0))
    .addOption(truncationOption())
    .addOption(noEmaOption())
    .option(
      '-o, --out <path>',
      "output file (grid, npy) or directory (png); default: in the run's samples/",
      parsePathOption('--out'),
    )
    .addOption(
      new Option(
        '--format <format>',
        'grid: one PNG grid; png: one PNG per image; npy: (n,h,w) float32 in [0,1], (n,h,w,3) for colour',
      )
        .choices(SAMPLE_FORMATS)
        .default('grid'),
    )
    .addOption(outDirOption())
    .addOption(backendOption())
    .action(async (opts) => {
      await sampleCommand(opts, terminal);
    });

  program
    .command('eval')
    .description('FID, classifier score and class coverage of a generator against real images')
    .addOption(ckptOption())
    .option('-n, --n <count>', 'generated images to evaluate', parseIntOption('--n', MIN_EVAL_N, 100000), 10000)
    .option('--json <file>', 'where to write the numbers (default: <run>/eval-epochNNNN.json)')
    .addOption(noEmaOption('evaluate the raw generator'))
    .addOption(seedOption("seed of the noise (and of the floor's real subset)", 0))
    .addOption(truncationOption())
    .addOption(outDirOption('where runs live; classifiers are cached in <dir>/classifiers'))
    .option(
      '--classifier-epochs <n>',
      'epochs for the evaluation classifier if it must be trained',
      parseIntOption('--classifier-epochs', 1),
    )
    .addOption(backendOption())
    .action(async (opts) => {
      await evalCommand(opts, terminal);
    });

  program
    .command('classifier')
    .description('the evaluation classifier used by gan eval')
    .command('train')
    .description("train (or find cached) the evaluation classifier for a config's dataset; prints its test accuracy")
    .option('-c, --config <file>', 'config whose data section names the dataset (default: the default config)')
    .option('--set <key=value>', 'override a config key, e.g. --set data.source=bundled (repeatable)', collect, [])
    .option('--epochs <n>', 'classifier training epochs', parseIntOption('--epochs', 1))
    .option(
      '--out-dir <dir>',
      "classifiers are cached in <dir>/classifiers (default: the config's run.out_dir)",
      parsePathOption('--out-dir'),
    )
    .option('--force', 'retrain even if a matching classifier is cached', false)
    .addOption(backendOption())
    .action(async (opts) => classifierTrainCommand(opts, terminal));

  program
    .command('classify')
    .description("a semi-supervised run's classifier on a split of its dataset or on images from a file")
    .addOption(ckptOption())
    .addOption(new Option('--split <split>', 'the dataset split to classify').choices(SPLITS).default('test'))
    .option(
      '--images <file>',
      'classify these instead: .npy (float32 in [0,1], as gan sample writes) or IDX',
      parsePathOption('--images'),
    )
    .option('--labels <file>', 'IDX labels of --images, to report accuracy', parsePathOption('--labels'))
    .option(
      '-o, --out <file>',
      'the JSON with predictions and accuracy (default: in the run directory)',
      parsePathOption('--out'),
    )
    .addOption(noEmaOption('use the raw discriminator'))
    .addOption(outDirOption())
    .addOption(backendOption())
    .action(async (opts) => {
      await classifyCommand(opts, terminal);
    });

  program
    .command('report')
    .description("write <run>/report.html: config, engine, loss and eval curves, every epoch's sample grid")
    .argument('[run]', 'latest | RUN name | run directory | epoch directory', 'latest')
    .option('--gif', 'also assemble the per-epoch grids into <run>/progress.gif', false)
    .addOption(outDirOption())
    .action((run: string, opts) => {
      reportCommand(run, opts, terminal);
    });

  program
    .command('interpolate')
    .description('a grid of latent-space walks (or, with --class A:B, class A morphing into B)')
    .addOption(ckptOption())
    .option('--steps <n>', 'images per row, both ends included', parseIntOption('--steps', 2, 256), 10)
    .option('--rows <n>', 'rows (independent paths)', parseIntOption('--rows', 1, 256), 8)
    .option('--class <A:B>', 'conditional generators: keep z per row and interpolate the class embedding from A to B')
    .addOption(seedOption('noise seed (default: random, printed)'))
    .addOption(noEmaOption())
    .option('-o, --out <file>', "output PNG (default: in the run's samples/)", parsePathOption('--out'))
    .addOption(outDirOption())
    .addOption(backendOption())
    .action(async (opts) => {
      await interpolateCommand(opts, terminal);
    });

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
      if (opts.serve) await serveCommand(out, {}, terminal);
    });

  program
    .command('serve')
    .description('serve an exported folder on 127.0.0.1 so a browser can open its page; Ctrl-C stops')
    .argument('<dir>', 'a folder written by gan export --out')
    .option(
      '--port <n>',
      'port (default 8000, or a free one if taken; 0: any free one)',
      parseIntOption('--port', 0, 65535),
    )
    .action(async (dir: string, opts: { port?: number }) => {
      await serveCommand(dir, opts, terminal);
    });

  program
    .command('selftrain')
    .description('do GANs help when labels are scarce? test accuracy of classifier recipes on the same few labels')
    .option(
      '--labels <n>',
      "labelled training images, class-balanced (default: the runs' or the config's)",
      parseIntOption('--labels', 1),
    )
    .option(
      '--recipes <list>',
      'comma list of real, real-augment, ssgan-net, pseudo-label, gan-augment, cas, ssgan, ssgan+pseudo-label ' +
        '(default: all that can run)',
    )
    .option(
      '--ssgan-runs <runs>',
      'semi-supervised runs, one per repeat (gan train --config ssgan.yaml): ssgan, ssgan+pseudo-label',
    )
    .option('--ckpt <ref>', 'a conditional generator: gan-augment, cas')
    .option(
      '-c, --config <file>',
      'semi-supervised config for ssgan-net and the dataset (when no run gives them)',
      'ssgan.yaml',
    )
    .option('--repeats <n>', 'labelled splits (seeds) without --ssgan-runs', parseIntOption('--repeats', 1, 100))
    .option('--steps <n>', 'LeNet budget: updates per classifier', parseIntOption('--steps', 1), 300)
    .option('--epochs <n>', 'LeNet budget: fixed epochs instead of --steps', parseIntOption('--epochs', 1))
    .option(
      '--shift <px>',
      'random shifts of the -augment and pseudo-label recipes',
      parseIntOption('--shift', 0, 8),
      2,
    )
    .option(
      '--threshold <p>',
      'pseudo-label: keep images classified with at least this confidence',
      parseFractionOption('--threshold'),
      0.9,
    )
    .option('--rounds <n>', 'pseudo-label rounds', parseIntOption('--rounds', 1, 100), 1)
    .option(
      '--per-class <m>',
      'generated images per class (gan-augment, cas)',
      parseIntOption('--per-class', 1, 100000),
      500,
    )
    .option(
      '--validation-per-class <v>',
      'labelled validation images per class beyond the N, to choose the pseudo-label round (0 = none; at most 10)',
      parseIntOption('--validation-per-class', 0),
      0,
    )
    .option(
      '--json <file>',
      'where to write the numbers (default: <out-dir>/selftrain-N.json)',
      parsePathOption('--json'),
    )
    .addOption(seedOption('seed of the splits, subsets, noise and classifiers', 0))
    .addOption(noEmaOption('use raw networks (the generator, the semi-supervised discriminators)'))
    .addOption(outDirOption())
    .addOption(backendOption())
    .action(async (opts) => {
      await selftrainCommand(opts, terminal);
    });

  program
    .command('doctor')
    .description('which engine runs and why, versions, GPU/CUDA visibility, wasm threads, the data cache')
    .addOption(backendOption())
    .action(async (opts: { backend?: string }) => doctorCommand(opts.backend, terminal));

  program
    .command('keys')
    .description('list every config key with its type, default and meaning')
    .option('--markdown', 'print the table the README carries', false)
    .action((opts: { markdown: boolean }) => {
      if (opts.markdown) terminal.log(keysMarkdown());
      else {
        for (const k of describeKeys()) {
          terminal.log(`${k.key.padEnd(20)} ${k.type.padEnd(34)} default ${k.default.padEnd(14)} ${k.doc}`);
        }
      }
    });

  return program;
}

/** Turns any error into one line and an exit code; only bugs get a stack trace. */
function report(err: unknown): number {
  if (err instanceof CommanderError) {
    // Commander has already printed its message; help/version are successful exits.
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof UserError) {
    writeErr(`gan: ${err.message}\n`);
    return err.exitCode;
  }
  // A system error from a file operation: what failed, where, and what to do, in one line.
  const fsError = fileError(err);
  if (fsError) {
    writeErr(`gan: ${fsError.message}\n`);
    return fsError.exitCode;
  }
  writeErr(`gan: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  return 1;
}

async function main(): Promise<void> {
  guardTerminal();
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (err) {
    process.exitCode = report(err);
  } finally {
    // A GPU device can keep the process alive: give it back.
    await releaseEngine();
  }
}

await main();
