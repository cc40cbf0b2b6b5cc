/**
 * Transform (tf.image.transform) for the cpu backend, batch by batch.
 *
 * The stock cpu kernel of tfjs 4.22 returns from inside its loop over the batch, after the
 * first image: every later image comes back as the fill value. The wasm kernel is correct. This
 * patch runs the stock kernel once per image and joins the results.
 */
import type { DataId, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

interface CpuBackend {
  readSync(dataId: DataId): Float32Array;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
  disposeIntermediateTensorInfo(info: TensorInfo): void;
}

export function makeCpuTransform(stock: KernelConfig): KernelFunc {
  return (args) => {
    const { image, transforms } = args.inputs as { image: TensorInfo; transforms: TensorInfo };
    const batch = image.shape[0]!;
    if (batch === 1 || image.dtype !== 'float32') return stock.kernelFunc(args);
    const backend = args.backend as unknown as CpuBackend;
    const pixels = backend.readSync(image.dataId);
    const rows = backend.readSync(transforms.dataId);
    const perImage = pixels.length / batch;
    let out: Float32Array | undefined;
    let shape: number[] = [];
    for (let b = 0; b < batch; b++) {
      const one = backend.makeTensorInfo(
        [1, ...image.shape.slice(1)],
        'float32',
        pixels.slice(b * perImage, (b + 1) * perImage),
      );
      const row = backend.makeTensorInfo(
        [1, 8],
        'float32',
        transforms.shape[0] === 1 ? rows : rows.slice(b * 8, b * 8 + 8),
      );
      const result = stock.kernelFunc({ ...args, inputs: { image: one, transforms: row } }) as TensorInfo;
      const values = backend.readSync(result.dataId);
      out ??= new Float32Array(values.length * batch);
      out.set(values, b * values.length);
      shape = [batch, ...result.shape.slice(1)];
      [one, row, result].forEach((t) => backend.disposeIntermediateTensorInfo(t));
    }
    return backend.makeTensorInfo(shape, 'float32', out!);
  };
}
