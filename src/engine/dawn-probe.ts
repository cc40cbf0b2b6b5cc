// Asks Dawn for adapters in a child process whose stderr is captured, so that what Dawn prints
// while it looks (its warnings, with "at …" source lines when a driver is missing) stays out of
// the user's terminal. Where the child finds no adapter, this process never starts Dawn on that
// backend and the user sees only our one-line reason. `--verbose` (GAN_VERBOSE=1) skips the child:
// Dawn then looks in this process and its lines pass through as they come.
//
// The child imports the `webgpu` package alone (not tfjs), so it costs a Node start and Dawn's
// adapter search, a fraction of a second. If it cannot run or answer, the caller looks in-process.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** What Dawn answered for one set of `create()` flags. */
export interface DawnAnswer {
  /** An adapter was offered (feature level core, else compatibility). */
  found: boolean;
  /** The adapter's names, to tell a software one without asking again. */
  info?: { vendor: string; architecture: string; device: string; description: string; isFallbackAdapter?: boolean };
  /** requestAdapter's rejection message (e.g. Dawn's list of adapters when none had the name asked for). */
  error?: string;
}

/** Run by the child: argv[1] is the `webgpu` package's URL, argv[2] the flag sets as JSON. */
const CHILD = `
const [url, sets] = process.argv.slice(1);
const { create } = await import(url);
const answers = [];
for (const flags of JSON.parse(sets)) {
  try {
    const gpu = create(flags);
    const ask = (featureLevel) => gpu.requestAdapter({ powerPreference: 'high-performance', featureLevel });
    const adapter = (await ask('core')) ?? (await ask('compatibility'));
    const i = adapter?.info;
    const info = i && {
      vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description,
      isFallbackAdapter: i.isFallbackAdapter,
    };
    answers.push({ found: adapter !== null, info });
  } catch (err) {
    answers.push({ found: false, error: String(err?.message ?? err) });
  }
}
process.stdout.write(JSON.stringify(answers));
process.exit(0); // a Dawn instance keeps the event loop alive
`;

/** Longer than any adapter search measured (well under a second); a hung driver must not hang us. */
const TIMEOUT_MS = 60_000;

/**
 * Dawn's answer for each flag set (one `create(flags)` each, in order), found in a child process
 * whose stderr goes nowhere; undefined when the child could not run or answer.
 */
export async function askDawnInChild(flagSets: string[][]): Promise<DawnAnswer[] | undefined> {
  let url: string;
  try {
    url = pathToFileURL(createRequire(import.meta.url).resolve('webgpu')).href;
  } catch {
    return undefined;
  }
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, url, JSON.stringify(flagSets)], {
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: TIMEOUT_MS,
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(null));
    child.on('close', (status) => resolve(status));
  });
  if (code !== 0) return undefined;
  try {
    const answers = JSON.parse(out) as DawnAnswer[];
    return Array.isArray(answers) && answers.length === flagSets.length ? answers : undefined;
  } catch {
    return undefined;
  }
}
