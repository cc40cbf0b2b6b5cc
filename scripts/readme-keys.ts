// Rewrites the README's config-key table from the schema: `npx tsx scripts/readme-keys.ts`.
import { readFileSync, writeFileSync } from 'node:fs';
import { keysMarkdown } from '../src/config.ts';

const path = new URL('../README.md', import.meta.url);
const readme = readFileSync(path, 'utf8');
const updated = readme.replace(/(<!-- keys:start -->\n)[\s\S]*?(\n<!-- keys:end -->)/, `$1${keysMarkdown()}$2`);
writeFileSync(path, updated);
