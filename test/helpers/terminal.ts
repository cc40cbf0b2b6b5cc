// An interactive bash in a real pseudo-terminal (util-linux `script` allocates it), for tests
// that must behave as a user's terminal does: Ctrl-C typed there reaches every process of the
// foreground pipeline, as the terminal's line discipline sends it.
import { spawn, spawnSync } from 'node:child_process';

export interface TerminalSession {
  /** Types text as if at the keyboard ('\x03' is Ctrl-C). */
  type(text: string): void;
  /** Resolves once the screen's output so far matches `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  output(): string;
  close(): Promise<void>;
}

/** Why no terminal can be made here, or undefined when one can. */
export function noTerminal(): string | undefined {
  const r = spawnSync('script', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : 'util-linux `script` is not installed (it provides the pseudo-terminal)';
}

export function openTerminal(cwd: string, env: Record<string, string> = {}): TerminalSession {
  const child = spawn('script', ['-qfec', 'bash --norc --noprofile -i', '/dev/null'], {
    cwd,
    env: { ...process.env, ...env, PS1: '$ ', TERM: 'dumb' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout.on('data', (d: Buffer) => (screen += d.toString()));
  child.stderr.on('data', (d: Buffer) => (screen += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    type: (text) => child.stdin.write(text),
    async waitFor(pattern, timeoutMs = 120_000) {
      const until = Date.now() + timeoutMs;
      while (!pattern.test(screen)) {
        if (Date.now() > until) throw new Error(`the terminal never showed ${pattern}; it shows:\n${screen}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    output: () => screen,
    async close() {
      child.stdin.write('exit\n');
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
