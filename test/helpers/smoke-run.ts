// A real run to test against: `gan train --config smoke.yaml` in a scratch directory
// (about 3 s), as a user would type it. Needs dist/ (npm test builds it first).
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runGan } from '../helpers.ts';
import { tempDir } from './temp-dir.ts';

/** Trains the smoke config in a new temp dir; returns that dir (the run is checkpoints/smoke). */
export function trainSmokeRun(extraArgs: string[] = []): string {
  const work = tempDir('gan-run-');
  cpSync(join(ROOT, 'configs'), join(work, 'configs'), { recursive: true });
  const r = runGan(['train', '--config', 'smoke.yaml', ...extraArgs], {
    cwd: work,
    env: { GAN_DATA_MIRRORS: 'http://127.0.0.1:9/' },
  });
  assert.equal(r.status, 0, `smoke training failed: ${r.stderr}`);
  return work;
}
