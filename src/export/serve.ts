// A static file server on this machine only (127.0.0.1) for a browser export: browsers refuse
// fetch() from file://, so the page needs HTTP. GET and HEAD of files inside the folder; "/" is
// index.html; anything else is a 404 (no listing, nothing outside the folder).
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { UserError } from '../errors.js';
import type { Log } from '../log.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

function fileFor(root: string, url: string | undefined): string | undefined {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url ?? '/', 'http://localhost').pathname);
  } catch {
    return undefined;
  }
  const path = resolve(root, `.${pathname.endsWith('/') ? `${pathname}index.html` : pathname}`);
  if (!path.startsWith(root + sep)) return undefined;
  try {
    return statSync(path).isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

/** Serves the files of `dir` on 127.0.0.1 at `port` (0: a free one); rejects as listen() does (EADDRINUSE…). */
export async function serveFolder(dir: string, port = 0): Promise<StaticServer> {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    const path = req.method === 'GET' || req.method === 'HEAD' ? fileFor(root, req.url) : undefined;
    if (!path) {
      res.writeHead(req.method === 'GET' || req.method === 'HEAD' ? 404 : 405).end();
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(path).pipe(res);
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', fail);
      done();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/`,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

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

/**
 * Serves `dir` (a `gan export` folder) until SIGINT or SIGTERM: `gan serve`, and `gan export
 * --serve` after writing it. Without `port`, 8000, or any free port when that is taken.
 */
export async function serveExport(dir: string, port: number | undefined, io: Log): Promise<void> {
  if (!existsSync(join(dir, 'index.html')) || !existsSync(join(dir, 'model.json'))) {
    throw new UserError(`${dir}: no index.html and model.json; expected a folder written by gan export --out`);
  }
  const server = await listen(dir, port);
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
