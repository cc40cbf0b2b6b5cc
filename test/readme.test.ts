// Docs that can drift from the code: the config-key table (docs/config.md) and the README's commands.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { keysMarkdown } from '../src/config.ts';
import { ROOT } from './helpers.ts';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const configDoc = readFileSync(join(ROOT, 'docs', 'config.md'), 'utf8');

test('docs/config.md carries the config-key table generated from the schema', () => {
  const table = /<!-- keys:start -->\n([\s\S]*?)\n<!-- keys:end -->/.exec(configDoc)?.[1];
  assert.equal(table, keysMarkdown(), 'regenerate with: npx tsx scripts/config-keys.ts');
});

test('README shows the install, the two commands and the test command', () => {
  for (const line of ['npm ci', 'gan train --config mnist.yaml', 'gan sample --ckpt latest --n 64', 'npm test']) {
    assert.ok(readme.includes(line), line);
  }
});
