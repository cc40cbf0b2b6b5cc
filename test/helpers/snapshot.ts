// Every file under a directory with its size, mtime and content hash: two snapshots are equal
// only when nothing under it was written, created or removed.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function treeSnapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else out.set(path, `${st.size}:${st.mtimeMs}:${createHash('sha1').update(readFileSync(path)).digest('hex')}`);
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}
