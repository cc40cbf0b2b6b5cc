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
  // The semi-supervised GAN's own draws.
  labelledSplit: 10,
  labelledOrder: 11,
  labelledShift: 12,
  unlabelledOrder: 13,
  discriminatorNoise: 14,
  dataInit: 15,
  augment: 16,
  validationSplit: 17,
} as const;

/** Φ(x) of the standard normal, from erf (Abramowitz & Stegun 7.1.26, absolute error < 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return 0.5 * (1 + (x < 0 ? -erf : erf));
}

/** Φ⁻¹(p) of the standard normal (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = 0.02425;
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  if (p < tail) {
    const q = Math.sqrt(-2 * Math.log(p));
    const num = ((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + 2.938163982698783;
    return num / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - tail) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  const num = (((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q;
  return num / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** Φ⁻¹ at the midpoints of 65,536 equal-probability cells: N(0, 1) to 16 bits, truncated at ±4.3σ. */
let quantileTable: Float32Array | undefined;

/** normalArray's table of normal quantiles, indexed by a 16-bit uniform. */
export function normalQuantiles(): Float32Array {
  return (quantileTable ??= Float32Array.from({ length: 65536 }, (_, i) => normalQuantile((i + 0.5) / 65536)));
}

/** normalArray's xorshift128 state for a seed: four mulberry32 draws (never all zero). */
export function normalStreamState(seed: number): [number, number, number, number] {
  const next = mulberry32(seed);
  const x = (next() * 2 ** 32) | 0 || 1;
  return [x, (next() * 2 ** 32) | 0, (next() * 2 ** 32) | 0, (next() * 2 ** 32) | 0];
}

/**
 * `count` draws from N(0, σ²) for a seed, fast: 16-bit uniforms from a xorshift128 stream
 * looked up in a table of normal quantiles (tfjs's randomNormal draws one Box–Muller pair at a
 * time in JavaScript, several times slower; the semi-supervised discriminator adds noise to
 * every layer of every pass). Each xorshift step gives two draws, its low 16 bits first; σ·q is
 * computed in double precision and rounded to float32 (an engine's kernel repeats this bit for bit).
 */
export function normalArray(count: number, sigma: number, seed: number): Float32Array {
  const table = normalQuantiles();
  let [x, y, z, w] = normalStreamState(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const t = x ^ (x << 11);
    x = y;
    y = z;
    z = w;
    w = w ^ (w >>> 19) ^ t ^ (t >>> 8);
    out[i] = sigma * table[w & 0xffff]!;
    if (i + 1 < count) out[i + 1] = sigma * table[w >>> 16]!;
  }
  return out;
}
