// Spherical linear interpolation between latent vectors (Shoemake 1985; for GAN latents see
// White 2016, "Sampling Generative Networks"). A straight line between two Gaussian samples
// passes close to the origin, where a high-dimensional N(0, I) almost never puts a point, so
// its middle images look washed out; the great-circle path keeps the norm in the typical range.

/** Below this sin(angle) the vectors are (anti)parallel and the slerp weights blow up. */
const PARALLEL_EPSILON = 1e-6;

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

/**
 * The point a fraction `t` of the way from `a` to `b` along the great circle through them
 * (scaled by the angle only, so unit vectors stay unit vectors). For (anti)parallel vectors,
 * where that circle is not defined, it falls back to linear interpolation.
 */
export function slerp(a: ArrayLike<number>, b: ArrayLike<number>, t: number): Float32Array {
  if (a.length !== b.length) throw new Error(`slerp: vectors of length ${a.length} and ${b.length}`);
  const na = norm(a);
  const nb = norm(b);
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  const cos = na > 0 && nb > 0 ? Math.max(-1, Math.min(1, dot / (na * nb))) : 1;
  const omega = Math.acos(cos);
  const sin = Math.sin(omega);
  const [wa, wb] = sin < PARALLEL_EPSILON ? [1 - t, t] : [Math.sin((1 - t) * omega) / sin, Math.sin(t * omega) / sin];
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = wa * a[i]! + wb * b[i]!;
  return out;
}

/** `steps` evenly spaced points from `a` to `b` (both included), as one [steps * dim] array. */
export function slerpPath(a: ArrayLike<number>, b: ArrayLike<number>, steps: number): Float32Array {
  if (steps < 2) throw new Error(`slerpPath: steps must be ≥ 2, got ${steps}`);
  const out = new Float32Array(steps * a.length);
  for (let s = 0; s < steps; s++) out.set(slerp(a, b, s / (steps - 1)), s * a.length);
  return out;
}
