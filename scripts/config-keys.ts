// Rewrites the config-key table in docs/config.md from the schema: `npx tsx scripts/config-keys.ts`.
import { readFileSync, writeFileSync } from 'node:fs';
import { keysMarkdown } from '../src/config.ts';

const path = new URL('../docs/config.md', import.meta.url);
const doc = readFileSync(path, 'utf8');
const updated = doc.replace(/(<!-- keys:start -->\n)[\s\S]*?(\n<!-- keys:end -->)/, `$1${keysMarkdown()}$2`);
writeFileSync(path, updated);
