// A structural check of generated HTML without a browser: every element that is opened is
// closed in order (void elements and self-closed SVG elements aside), outside script/style.
const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'track',
  'wbr',
]);

/** Problems found; empty when the tags nest properly. */
export function tagProblems(html: string): string[] {
  const body = html
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/g, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<!DOCTYPE[^>]*>/i, '');
  const stack: string[] = [];
  const problems: string[] = [];
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][\w-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g)) {
    const [, closing, rawName, rest] = m;
    const name = rawName!.toLowerCase();
    if (closing) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}> at offset ${m.index}`);
    } else if (!VOID.has(name) && !rest!.trimEnd().endsWith('/')) {
      stack.push(name);
    }
  }
  if (stack.length) problems.push(`unclosed: ${stack.join(' > ')}`);
  if (/<[a-zA-Z][^>]*$/.test(body)) problems.push('a tag is cut off at the end');
  return problems;
}
