// Seeded randomness. Every random draw of a run derives from the run seed and a counter
// (epoch, step, purpose), so a resumed run draws exactly what an uninterrupted one would.

/** splitmix64-style mixing of several integers into one 32-bit seed. */
export function deriveSeed(...parts: number[]): number {
  let h = 0x9e3779b9 | 0;
  for (const part of parts) {
    // Fold in 53-bit safe integers as two 32-bit halves.
    const lo = part >>> 0;
    const hi = Math.floor(part / 2 ** 32) >>> 0;
    for (const word of [lo, hi]) {
      h = Math.imul(h ^ word, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
    }
  }
  return h >>> 0;
}

/** mulberry32: a small, fast, well-distributed 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Fisher–Yates permutation of 0..n-1 drawn from `seed`. */
export function permutation(n: number, seed: number): Int32Array {
  const rand = mulberry32(seed);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

/** Purposes of random draws, so two draws at the same step never share a stream. */
export const Stream = {
  init: 1,
  shuffle: 2,
  noiseD: 3,
  noiseG: 4,
  fixedNoise: 5,
  sample: 6,
  fakeLabelsD: 7,
  fakeLabelsG: 9,
  penalty: 8,
} as const;
