// Short text shared by the commands' printed lines and tables: percentages, plurals, lists of names.

/** 0.9123 -> "91.2%". */
export const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** 1 -> "1 image", 3 -> "3 images". */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Up to eight names, then how many more: "a, b, c" or "a, …, h and 3 more". */
export function someNames(names: string[]): string {
  return names.slice(0, 8).join(', ') + (names.length > 8 ? ` and ${names.length - 8} more` : '');
}
