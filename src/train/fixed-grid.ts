// The per-epoch picture: the same latent points rendered after every epoch, so a viewer sees
// one set of digits improving. For a conditional generator each row is one class and each
// column one fixed noise vector, so style (column) and class (row) can be read apart.
import * as tf from '@tensorflow/tfjs';
import { encodeGrid } from '../image.js';
import { deriveSeed, Stream } from '../random.js';
import { generateImages, latentNoise } from '../sampling.js';

export class FixedGrid {
  private constructor(
    private readonly noise: tf.Tensor2D,
    private readonly labels: Int32Array | undefined,
    private readonly columns: number | undefined,
  ) {}

  /** `size` images (rounded up to whole rows of classes when conditional). */
  static create(size: number, latentDim: number, classes: number, seed: number): FixedGrid {
    const noiseSeed = deriveSeed(seed, Stream.fixedNoise);
    if (classes <= 0) return new FixedGrid(latentNoise(size, latentDim, noiseSeed), undefined, undefined);
    const columns = Math.ceil(size / classes);
    const base = latentNoise(columns, latentDim, noiseSeed);
    const rowOfColumns = Int32Array.from({ length: columns * classes }, (_, i) => i % columns);
    const noise = tf.tidy(() => tf.gather(base, rowOfColumns) as tf.Tensor2D);
    base.dispose();
    const labels = Int32Array.from({ length: columns * classes }, (_, i) => Math.floor(i / columns));
    return new FixedGrid(noise, labels, columns);
  }

  async render(generator: tf.LayersModel): Promise<Buffer> {
    return encodeGrid(await generateImages(generator, this.noise, this.labels), this.columns);
  }

  dispose(): void {
    this.noise.dispose();
  }
}
