// A plain HTTP(S) GET for downloads. node:http is used rather than fetch because fetch
// transparently decodes Content-Encoding: gzip — a mirror that labels its .gz files that way
// would hand us decompressed bytes that can never match the published hash. Here the bytes
// on disk are exactly the bytes on the wire.
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';

const MAX_REDIRECTS = 5;

/** The server answered with a non-2xx status. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    statusText: string,
  ) {
    super(`HTTP ${status}${statusText ? ` ${statusText}` : ''}`);
  }
}

/** Nothing arrived (no connection, headers or body bytes) for `ms` milliseconds. */
export class StallTimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`no response for ${ms / 1000} s (timeout)`);
  }
}

/** An open download: iterate `body` for the bytes; `length` is the Content-Length if sent. */
export interface HttpDownload {
  url: string;
  length: number | undefined;
  body: AsyncIterable<Buffer>;
}

/**
 * GETs `url`, following redirects. `stallMs` is an inactivity timeout, not a deadline: it
 * fires when the connection, the headers or the next body chunk take longer than that, so a
 * hanging mirror fails over while a slow but steady one is not cut off mid-file.
 */
export async function httpGet(url: string, stallMs: number): Promise<HttpDownload> {
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const res = await requestOnce(current, stallMs);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (status >= 300 && status < 400 && location) {
      res.resume();
      current = new URL(location, current).toString();
      continue;
    }
    if (status < 200 || status >= 300) {
      res.resume();
      throw new HttpStatusError(status, res.statusMessage ?? '');
    }
    const lengthHeader = res.headers['content-length'];
    const length = lengthHeader !== undefined && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
    return { url: current, length, body: withStallTimeout(res, stallMs) };
  }
  throw new Error(`more than ${MAX_REDIRECTS} redirects`);
}

function requestOnce(url: string, stallMs: number): Promise<IncomingMessage> {
  const parsed = new URL(url);
  const client = parsed.protocol === 'https:' ? https : parsed.protocol === 'http:' ? http : undefined;
  if (!client) return Promise.reject(new Error(`unsupported URL scheme ${parsed.protocol}`));
  return new Promise((resolve, reject) => {
    // agent: false — one connection per file, nothing pooled that could keep the process alive.
    const req = client.get(parsed, { agent: false, headers: { 'accept-encoding': 'identity' } });
    const timer = setTimeout(() => req.destroy(new StallTimeoutError(stallMs)), stallMs);
    req.once('response', (res) => {
      clearTimeout(timer);
      resolve(res);
    });
    req.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Yields the body's chunks, destroying the response if the next chunk takes over `stallMs`. */
async function* withStallTimeout(res: IncomingMessage, stallMs: number): AsyncGenerator<Buffer> {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => res.destroy(new StallTimeoutError(stallMs)), stallMs);
  };
  try {
    arm();
    for await (const chunk of res) {
      arm();
      yield chunk as Buffer;
    }
  } finally {
    clearTimeout(timer);
    res.destroy();
  }
}
