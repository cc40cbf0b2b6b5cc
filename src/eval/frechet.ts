// The Fréchet distance between two Gaussians fitted to feature sets (the "FID" of Heusel et al.
// 2017, here in an MNIST classifier's feature space rather than Inception's):
//   d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^½)
// in float64. Σ₁Σ₂ is not symmetric, so a general matrix square root (scipy's sqrtm) can go
// complex through rounding. (Σ₁Σ₂)^½ is similar to (√Σ₁ Σ₂ √Σ₁)^½, which IS symmetric positive
// semi-definite, so its trace comes from two symmetric eigendecompositions, with the tiny
// negative eigenvalues that rounding produces (and that singular covariances — fewer samples
// than features, dead ReLU units — make common) clamped to zero.
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** Mean and covariance of a feature set: what the distance needs, and what a cache keeps. */
export interface GaussianStats {
  /** Number of feature vectors the statistics came from. */
  count: number;
  mean: Float64Array;
  /** dim × dim, unbiased (divides by count − 1, as numpy.cov and TF-GAN do). */
  cov: Matrix;
}

/** Statistics of `count` row vectors of length `dim`, stored row-major in `features`. */
export function gaussianStats(features: ArrayLike<number>, count: number, dim: number): GaussianStats {
  if (features.length !== count * dim)
    throw new RangeError(
      `gaussianStats: ${count} × ${dim} features need ${count * dim} values, got ${features.length}`,
    );
  if (count < 2) throw new RangeError(`gaussianStats: a covariance needs at least 2 samples, got ${count}`);
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) mean[j]! += features[i * dim + j]!;
  for (let j = 0; j < dim; j++) mean[j]! /= count;
  // Centre once into a Matrix, then one Gram product: Σ = XᶜᵀXᶜ / (n − 1).
  const centred = new Matrix(count, dim);
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) centred.set(i, j, features[i * dim + j]! - mean[j]!);
  const cov = centred
    .transpose()
    .mmul(centred)
    .div(count - 1);
  return { count, mean, cov: symmetrize(cov) };
}

/** (A + Aᵀ) / 2: removes the rounding asymmetry before a symmetric eigendecomposition. */
function symmetrize(a: Matrix): Matrix {
  return a.clone().add(a.transpose()).div(2);
}

/** Eigenvalues and vectors of a symmetric matrix. */
function symmetricEigen(a: Matrix): { values: number[]; vectors: Matrix } {
  const evd = new EigenvalueDecomposition(symmetrize(a), { assumeSymmetric: true });
  return { values: evd.realEigenvalues, vectors: evd.eigenvectorMatrix };
}

/** √A for a symmetric positive semi-definite A: V diag(√max(λ, 0)) Vᵀ. */
export function sqrtPsd(a: Matrix): Matrix {
  const { values, vectors } = symmetricEigen(a);
  const scaled = vectors.clone();
  for (let j = 0; j < values.length; j++) {
    const s = Math.sqrt(Math.max(values[j]!, 0));
    for (let i = 0; i < scaled.rows; i++) scaled.set(i, j, scaled.get(i, j) * s);
  }
  return scaled.mmul(vectors.transpose());
}

/** Tr((Σ₁Σ₂)^½) computed as Tr((√Σ₁ Σ₂ √Σ₁)^½) = Σ √max(μᵢ, 0). */
export function traceSqrtProduct(cov1: Matrix, cov2: Matrix): number {
  const root1 = sqrtPsd(cov1);
  const inner = root1.mmul(cov2).mmul(root1);
  return symmetricEigen(inner).values.reduce((sum, v) => sum + Math.sqrt(Math.max(v, 0)), 0);
}

/** The Fréchet distance between two fitted Gaussians (≥ 0 up to rounding). */
export function frechetDistance(a: GaussianStats, b: GaussianStats): number {
  const dim = a.mean.length;
  if (b.mean.length !== dim) throw new RangeError(`frechetDistance: feature sizes differ (${dim} vs ${b.mean.length})`);
  let meanTerm = 0;
  for (let j = 0; j < dim; j++) meanTerm += (a.mean[j]! - b.mean[j]!) ** 2;
  const traceTerm = a.cov.trace() + b.cov.trace() - 2 * traceSqrtProduct(a.cov, b.cov);
  // Mathematically ≥ 0; identical sets give ±1e-12-sized rounding, reported as 0.
  return Math.max(0, meanTerm + traceTerm);
}
