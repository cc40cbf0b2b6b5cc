// Shared fixtures for the data tests: generated IDX content, temp dirs, and a real HTTP server
// on 127.0.0.1 whose first path segment picks how it misbehaves.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HashTable } from '../../src/data/catalog.js';
import { encodeIdx, type IdxImages, type IdxLabels } from '../../src/data/idx.js';
import { mulberry32 } from '../../src/random.js';

/** The shared real datasets, `../shared/data` from the project root (absent on a fresh checkout). */
export const SHARED_DATA = fileURLToPath(new URL('../../../shared/data', import.meta.url));

/** Deterministic pseudo-random images (seeded). */
export function makeImages(count: number, seed = 1, height = 28, width = 28): IdxImages {
  const rand = mulberry32(seed);
  const pixels = new Uint8Array(count * height * width);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.floor(rand() * 256);
  return { kind: 'images', count, height, width, pixels };
}

/** Labels cycling through 0..9, so every class is present. */
export function makeLabels(count: number): IdxLabels {
  return { kind: 'labels', count, labels: Uint8Array.from({ length: count }, (_, i) => i % 10) };
}

/** A fresh temp dir, removed after the test. */
export async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gan-data-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes an images + labels pair (gzipped) under the given names; returns their paths. */
export async function writePair(
  dir: string,
  names: [string, string],
  count: number,
  seed = 1,
): Promise<[string, string]> {
  const paths: [string, string] = [join(dir, names[0]), join(dir, names[1])];
  await writeFile(paths[0], encodeIdx(makeImages(count, seed), { gzip: true }));
  await writeFile(paths[1], encodeIdx(makeLabels(count), { gzip: true }));
  return paths;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A sha256 hash table for files by name. */
export function hashTable(files: Record<string, Uint8Array>): HashTable {
  return Object.fromEntries(
    Object.entries(files).map(([name, bytes]) => [name, { algorithm: 'sha256' as const, hex: sha256(bytes) }]),
  );
}

/**
 * Mirror behaviours, chosen by the first path segment:
 *   /good/<name>     the file;  /corrupt/<name>  the file with one byte flipped;
 *   /missing/<name>  404;       /hang/<name>     accepts, never answers;
 *   /silent/<name>   headers, then silence;
 *   /stall/<name>    headers and half the body, then silence;
 *   /short/<name>    Content-Length of the whole file, half the body, then closes;
 *   /trickle/<name>  the file in 6 pieces, 100 ms apart (slow but steady);
 *   /redirect/<name> 302 to /good/<name>.
 */
export interface MirrorServer {
  base(mode: 'good' | 'corrupt' | 'missing' | 'hang' | 'silent' | 'stall' | 'short' | 'trickle' | 'redirect'): string;
  /** Request paths received, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startMirrorServer(files: Record<string, Uint8Array>): Promise<MirrorServer> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(path);
    const [, mode, name] = path.split('/');
    const body = name !== undefined ? files[name] : undefined;
    if (mode === 'hang') return; // keep the socket open, say nothing
    if (!body || mode === 'missing') {
      res.writeHead(404).end('not found');
      return;
    }
    if (mode === 'redirect') {
      res.writeHead(302, { location: `/good/${name}` }).end();
      return;
    }
    const headers = { 'content-type': 'application/octet-stream', 'content-length': String(body.length) };
    if (mode === 'good') {
      res.writeHead(200, headers).end(body);
    } else if (mode === 'corrupt') {
      const bad = Uint8Array.from(body);
      bad[bad.length >> 1]! ^= 0xff;
      res.writeHead(200, headers).end(bad);
    } else if (mode === 'silent') {
      res.writeHead(200, headers).flushHeaders();
    } else if (mode === 'stall') {
      res.writeHead(200, headers);
      res.write(body.subarray(0, body.length >> 1));
    } else if (mode === 'short') {
      res.writeHead(200, headers);
      res.write(body.subarray(0, body.length >> 1), () => res.destroy());
    } else if (mode === 'trickle') {
      res.writeHead(200, headers);
      const pieces = 6;
      const size = Math.ceil(body.length / pieces);
      let sent = 0;
      const timer = setInterval(() => {
        res.write(body.subarray(sent * size, (sent + 1) * size));
        if (++sent === pieces) {
          clearInterval(timer);
          res.end();
        }
      }, 100);
      res.on('close', () => clearInterval(timer));
    } else {
      res.writeHead(400).end('unknown mode');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: (mode) => `http://127.0.0.1:${port}/${mode}/`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A base URL on a port that was just closed, so connecting is refused. */
export async function closedPortBase(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}
