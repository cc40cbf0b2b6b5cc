// Small text formatting shared by the commands' printed tables.

/** 0.9123 -> "91.2%". */
export const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** 1 -> "1 image", 3 -> "3 images". */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
