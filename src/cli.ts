// Command-line wiring only: commands, options, help and exit codes. The work is in commands/.
//   exit 0 ok · 1 internal error (a bug: stack printed) · 2 bad input (one line)
import { Command, CommanderError, Option } from 'commander';
import { describeKeys, keysMarkdown } from './config.js';
import { ENGINE_REQUESTS } from './engine/select.js';
import { UserError } from './errors.js';
import { doctorCommand } from './commands/doctor.js';
import { parseIntOption } from './commands/options.js';
import { SAMPLE_FORMATS, sampleCommand } from './commands/sample.js';
import { trainCommand, type CommandIO } from './commands/train.js';

const io: CommandIO = {
  log: (line) => process.stdout.write(`${line}\n`),
  warn: (line) => process.stderr.write(`warning: ${line}\n`),
};

const collect = (value: string, previous: string[]) => [...previous, value];
const backendOption = () =>
  new Option('--backend <engine>', 'engine: auto | tensorflow | wasm | cpu (default: GAN_BACKEND, else the config, else auto)').choices(ENGINE_REQUESTS);

function buildProgram(): Command {
  const program = new Command('gan')
    .description('Train, sample and inspect GANs for MNIST-like images on TensorFlow.js')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('train')
    .description('train a GAN as a YAML config describes; writes a checkpoint and a sample grid every epoch')
    .requiredOption('-c, --config <file>', 'config file (a bare name also resolves in configs/, e.g. mnist.yaml)')
    .option('--set <key=value>', 'override a config key, e.g. --set train.epochs=5 (repeatable)', collect, [])
    .option('--epochs <n>', 'shorthand for --set train.epochs=N', parseIntOption('--epochs', 1))
    .addOption(backendOption())
    .option('--resume', 'continue the run from its latest checkpoint', false)
    .option('--force', 'delete an existing run directory of the same name and start over', false)
    .action(async (opts) => trainCommand(opts, io));

  program
    .command('sample')
    .description('draw images from a trained generator')
    .option('--ckpt <ref>', 'latest | RUN name | run directory | epoch directory', 'latest')
    .option('-n, --n <count>', 'number of images', parseIntOption('--n', 1, 100000), 64)
    .option('--seed <seed>', 'noise seed (default: random, printed)', parseIntOption('--seed', 0))
    .option('-o, --out <path>', 'output file (grid, npy) or directory (png); default: in the run\'s samples/')
    .addOption(new Option('--format <format>', 'grid: one PNG grid; png: one PNG per image; npy: (n,28,28) float32 in [0,1]').choices(SAMPLE_FORMATS).default('grid'))
    .option('--out-dir <dir>', 'where runs live', 'checkpoints')
    .addOption(backendOption())
    .action(async (opts) => {
      await sampleCommand(opts, io);
    });

  program
    .command('doctor')
    .description('report the engine, tfjs versions, CUDA visibility and the data cache')
    .addOption(backendOption())
    .action(async (opts: { backend?: string }) => doctorCommand(opts.backend, io));

  program
    .command('keys')
    .description('list every config key with its type, default and meaning')
    .option('--markdown', 'print the table the README carries', false)
    .action((opts: { markdown: boolean }) => {
      if (opts.markdown) io.log(keysMarkdown());
      else for (const k of describeKeys()) io.log(`${k.key.padEnd(20)} ${k.type.padEnd(34)} default ${k.default.padEnd(14)} ${k.doc}`);
    });

  return program;
}

/** Turns any error into a message and an exit code; only bugs get a stack trace. */
function report(err: unknown): number {
  if (err instanceof CommanderError) {
    // Commander has already printed its message; help/version are successful exits.
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof UserError) {
    process.stderr.write(`gan: ${err.message}\n`);
    return err.exitCode;
  }
  const fsErr = err as NodeJS.ErrnoException;
  if (fsErr && typeof fsErr.code === 'string' && typeof fsErr.path === 'string') {
    process.stderr.write(`gan: ${fsErr.path}: cannot ${fsErr.syscall ?? 'access'} (${fsErr.code})\n`);
    return 2;
  }
  process.stderr.write(`gan: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  return 1;
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (err) {
    process.exitCode = report(err);
  }
}

await main();
