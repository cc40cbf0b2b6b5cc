// `gan serve DIR [--port N]` and `gan export --serve`: the exported page over HTTP on this machine
// until Ctrl-C — browsers will not load the model from a file opened from disk.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { serveFolder, type StaticServer } from '../export/serve.js';
import type { Log } from '../log.js';

/** The port tried when none is asked for; taken, any free one is used instead. */
const DEFAULT_PORT = 8000;

async function listen(dir: string, port: number | undefined): Promise<StaticServer> {
  try {
    return await serveFolder(dir, port ?? DEFAULT_PORT);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    if (port !== undefined)
      throw new UserError(`--port ${port}: already in use on 127.0.0.1; choose another, or 0 for any free port`);
    return serveFolder(dir, 0);
  }
}

/** Serves `dir` (a `gan export` folder) until SIGINT or SIGTERM. */
export async function serveCommand(dir: string, opts: { port?: number }, io: Log): Promise<void> {
  if (!existsSync(join(dir, 'index.html')) || !existsSync(join(dir, 'model.json'))) {
    throw new UserError(`${dir}: no index.html and model.json; expected a folder written by gan export --out`);
  }
  const server = await listen(dir, opts.port);
  io.log(`serving ${dir} at ${server.url} — open that address in a browser; Ctrl-C stops`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  io.log('stopped');
}
