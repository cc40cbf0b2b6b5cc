// Headless Chromium for browser tests, driven through the DevTools protocol over a pipe
// (--remote-debugging-pipe: NUL-terminated JSON on fds 3 and 4), so it needs no WebSocket
// client and no npm package. Tests skip with a reason when /usr/bin/chromium is absent.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { tempDir } from './temp-dir.ts';

export const CHROMIUM = process.env.GAN_CHROMIUM ?? '/usr/bin/chromium';

/** Why browser tests are skipped here, or undefined when Chromium is available. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM)
    ? undefined
    : `${CHROMIUM} not found (apt-get install -y chromium); browser check skipped`;
}

// The flags this machine kind needs: no sandbox as root, no GPU, and nothing that phones home
// (the closed network refuses those connections and they slow the start down).
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--hide-scrollbars',
  '--mute-audio',
];

interface Pending {
  resolve: (value: Record<string, unknown>) => void;
  reject: (err: Error) => void;
}

export interface PageProblems {
  /** Console errors, uncaught exceptions and failed loads the page reported. */
  errors: string[];
}

export class BrowserPage {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private buffered = '';
  private waiters: { method: string; resolve: () => void }[] = [];
  readonly problems: PageProblems = { errors: [] };
  private sessionId = '';

  private constructor(
    private readonly proc: ChildProcess,
    private readonly profile: string,
  ) {
    const out = proc.stdio[4] as Readable;
    out.setEncoding('utf8');
    out.on('data', (chunk: string) => {
      this.buffered += chunk;
      let end: number;
      while ((end = this.buffered.indexOf('\0')) >= 0) {
        const message = JSON.parse(this.buffered.slice(0, end)) as Record<string, unknown>;
        this.buffered = this.buffered.slice(end + 1);
        this.dispatch(message);
      }
    });
  }

  static async launch(width = 1280, height = 900): Promise<BrowserPage> {
    const profile = tempDir('gan-chromium-');
    const proc = spawn(
      CHROMIUM,
      [
        ...FLAGS,
        `--user-data-dir=${profile}`,
        '--remote-debugging-pipe',
        `--window-size=${width},${height}`,
        'about:blank',
      ],
      {
        stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
      },
    );
    const page = new BrowserPage(proc, profile);
    const { targetId } = (await page.send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
    const { sessionId } = (await page.send('Target.attachToTarget', { targetId, flatten: true })) as {
      sessionId: string;
    };
    page.sessionId = sessionId;
    await page.send('Page.enable');
    await page.send('Runtime.enable');
    await page.send('Log.enable');
    await page.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
    return page;
  }

  private dispatch(message: Record<string, unknown>): void {
    if (typeof message.id === 'number') {
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiting?.reject(new Error(JSON.stringify(message.error)));
      else waiting?.resolve((message.result ?? {}) as Record<string, unknown>);
      return;
    }
    const method = message.method as string;
    // DevTools protocol events: loosely typed JSON, read defensively below.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const params = (message.params ?? {}) as Record<string, any>;
    if (method === 'Runtime.exceptionThrown')
      this.problems.errors.push(
        `exception: ${params.exceptionDetails?.exception?.description ?? params.exceptionDetails?.text}`,
      );
    if (method === 'Runtime.consoleAPICalled' && (params.type === 'error' || params.type === 'assert')) {
      const args = (params.args ?? []) as { value?: unknown; description?: string }[];
      this.problems.errors.push(`console.${params.type}: ${args.map((a) => a.value ?? a.description).join(' ')}`);
    }
    if (method === 'Log.entryAdded' && params.entry?.level === 'error')
      this.problems.errors.push(`log: ${params.entry.text} ${params.entry.url ?? ''}`);
    this.waiters = this.waiters.filter((w) => (w.method === method ? (w.resolve(), false) : true));
  }

  /** One DevTools command; fails after `timeoutMs` instead of hanging the test. */
  send(method: string, params: Record<string, unknown> = {}, timeoutMs = 20_000): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const message = { id, method, params, ...(this.sessionId ? { sessionId: this.sessionId } : {}) };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer from Chromium in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      (this.proc.stdio[3] as Writable).write(`${JSON.stringify(message)}\0`);
    });
  }

  private nextEvent(method: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method} not seen in ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ method, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  async goto(url: string, timeoutMs = 20_000): Promise<void> {
    const loaded = this.nextEvent('Page.loadEventFired', timeoutMs);
    await this.send('Page.navigate', { url });
    await loaded;
  }

  /** Evaluates an expression in the page (awaiting a promise) and returns its JSON value. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = (await this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true })) as {
      result: { value: T };
      exceptionDetails?: { text: string };
    };
    if (r.exceptionDetails) throw new Error(`evaluate failed: ${JSON.stringify(r.exceptionDetails)}`);
    return r.result.value;
  }

  /** Polls `expression` until it is truthy. */
  async waitFor(expression: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await this.evaluate<boolean>(`Boolean(${expression})`))) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${expression}; page errors: ${this.problems.errors.join(' | ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** A PNG of the whole page. */
  async screenshot(): Promise<Buffer> {
    const { data } = (await this.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true })) as {
      data: string;
    };
    return Buffer.from(data, 'base64');
  }

  async close(): Promise<void> {
    try {
      this.sessionId = ''; // Browser.* is a browser-level command, outside the page session
      await this.send('Browser.close', {}, 5_000).catch(() => undefined);
    } finally {
      // Let Chromium finish writing its profile before it is deleted; kill it if it lingers.
      const exited = new Promise((resolve) =>
        this.proc.exitCode !== null ? resolve(undefined) : this.proc.once('exit', resolve),
      );
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      rmSync(this.profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    }
  }
}

/** Launches Chromium, runs `fn` on a page, and always closes the browser. */
export async function withPage<T>(
  fn: (page: BrowserPage) => Promise<T>,
  size?: { width: number; height: number },
): Promise<T> {
  const page = await BrowserPage.launch(size?.width, size?.height);
  try {
    return await fn(page);
  } finally {
    await page.close();
  }
}
