// Temporary directories for tests, removed when the test process exits: some tests write
// gigabytes of checkpoints (the kill-loop in reliability.test.ts), and CI machines can be short
// of disk. GAN_KEEP_TEST_DIRS=1 keeps them for debugging.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (made.length === 0 && !process.env.GAN_KEEP_TEST_DIRS) {
    process.on('exit', () => {
      for (const d of made) rmSync(d, { recursive: true, force: true });
    });
  }
  made.push(dir);
  return dir;
}
