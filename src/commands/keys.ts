// `gan keys`: every config key with its type, default and meaning, from the one schema.
import type { Command } from 'commander';
import { describeKeys, keysMarkdown } from '../config.js';
import { terminal } from '../log.js';

/** `gan keys`'s command line. */
export function declareKeys(program: Command): void {
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
}
