// `gan serve DIR [--port N]`: the exported page over HTTP on this machine until Ctrl-C — browsers
// will not load the model from a file opened from disk (export/serve.ts).
import type { Command } from 'commander';
import { serveExport } from '../export/serve.js';
import { terminal } from '../log.js';
import { parseIntOption } from './options.js';

/** `gan serve`'s command line. */
export function declareServe(program: Command): void {
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
      await serveExport(dir, opts.port, terminal);
    });
}
