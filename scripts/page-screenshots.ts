// Screenshots of the two pages users open — a run's report.html and a browser export's
// index.html — at a desktop width and a phone width, for docs/:
//   node --import tsx scripts/page-screenshots.ts checkpoints/RUN docs/
// It runs `gan report RUN` and `gan export --ckpt RUN` (into a temporary folder it serves on
// 127.0.0.1), then drives Debian's Chromium (or GAN_CHROMIUM) with puppeteer-core.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import puppeteer from 'puppeteer-core';
import { serveFolder } from '../src/export/serve.ts';

const [runDir, outDir] = process.argv.slice(2);
if (!runDir || !outDir) throw new Error('usage: scripts/page-screenshots.ts checkpoints/RUN OUT_DIR');
const run = basename(runDir);
const runs = dirname(resolve(runDir));
// From the folder that holds the runs, so the pages name the run by a relative path.
const gan = (...args: string[]) => {
  const r = spawnSync(process.execPath, [resolve('bin/gan'), ...args, '--out-dir', basename(runs)], {
    cwd: dirname(runs),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`gan ${args.join(' ')}: ${r.stderr}`);
};
gan('report', run);
const web = mkdtempSync(join(tmpdir(), 'gan-web-'));
gan('export', '--ckpt', run, '--out', web);
const server = await serveFolder(web);
const browser = await puppeteer.launch({
  executablePath: process.env.GAN_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  for (const [name, width, height] of [
    ['desktop', 1280, 900],
    ['phone', 390, 844],
  ] as const) {
    const page = await browser.newPage();
    await page.setViewport({ width, height, isMobile: width < 600 });
    await page.goto(`file://${join(runs, run, 'report.html')}`);
    await page.screenshot({ path: join(outDir, `report-${name}.png`), fullPage: true });
    await page.goto(server.url);
    await page.waitForFunction(() => document.body.dataset.draws === '1', { timeout: 60_000 });
    await page.screenshot({ path: join(outDir, `export-${name}.png`), fullPage: true });
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
  rmSync(web, { recursive: true, force: true });
}
