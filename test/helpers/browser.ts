// Headless Chromium for browser tests, driven by puppeteer-core (no browser download: it runs
// Debian's /usr/bin/chromium, or GAN_CHROMIUM). Every page collects what a user would see go
// wrong — console errors, uncaught exceptions, failed requests — into `problems`. Tests skip with
// a reason when Chromium is absent.
import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const CHROMIUM = process.env.GAN_CHROMIUM ?? '/usr/bin/chromium';

/** The two widths every page is checked at: a desktop window and a phone. */
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** Why browser tests are skipped here, or undefined when Chromium is available. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM)
    ? undefined
    : `${CHROMIUM} not found (apt-get install -y chromium); browser check skipped`;
}

// Root needs no sandbox; there is no GPU; nothing should phone home (the closed network refuses
// those connections and they slow the start down).
const ARGS = [
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

export interface CheckedPage {
  page: Page;
  /** Console errors, uncaught exceptions and failed requests, in the order they happened. */
  problems: string[];
  /** Whether the page is wider than the viewport (the browser would zoom out or scroll sideways). */
  overflows(): Promise<boolean>;
}

/** A page of `browser` at `size` that records its problems. */
export async function checkedPage(browser: Browser, size: { width: number; height: number }): Promise<CheckedPage> {
  const page = await browser.newPage();
  await page.setViewport({ ...size, isMobile: size.width < 600, hasTouch: size.width < 600 });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'assert') problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`exception: ${e instanceof Error ? e.message : String(e)}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  const overflows = () => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  return { page, problems, overflows };
}

/** Launches Chromium, runs `fn`, and always closes the browser. */
export async function withBrowser<T>(fn: (browser: Browser) => Promise<T>): Promise<T> {
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  try {
    return await fn(browser);
  } finally {
    await browser.close();
  }
}
