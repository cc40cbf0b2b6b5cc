// Command-line wiring only: commands, options, help and exit codes. The work is in commands/.
//   exit 0 ok · 1 internal error (a bug: stack printed) · 2 bad input · 3 training diverged ·
//   4 the machine refused a file operation (disk full, no permission, read-only) · 130/143 interrupted
import { Command, CommanderError } from 'commander';
import { declareClassifier } from './commands/classifier.js';
import { declareClassify } from './commands/classify.js';
import { declareDoctor } from './commands/doctor.js';
import { declareEval } from './commands/eval.js';
import { declareExport } from './commands/export.js';
import { declareInterpolate } from './commands/interpolate.js';
import { declareKeys } from './commands/keys.js';
import { declareReport } from './commands/report.js';
import { declareSample } from './commands/sample.js';
import { declareSelftrain } from './commands/selftrain.js';
import { declareServe } from './commands/serve.js';
import { declareTrain } from './commands/train.js';
import { releaseEngine, showNativeOutput } from './engine/index.js';
import { fileError, UserError } from './errors.js';
import { guardTerminal, writeErr } from './log.js';

/** Every command, in the order `gan --help` lists them; each declares its own flags beside its code. */
const COMMANDS = [
  declareTrain,
  declareSample,
  declareEval,
  declareClassifier,
  declareClassify,
  declareReport,
  declareInterpolate,
  declareExport,
  declareServe,
  declareSelftrain,
  declareDoctor,
  declareKeys,
];

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

  for (const declare of COMMANDS) declare(program);
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
