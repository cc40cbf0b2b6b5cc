/**
 * Identity, and Cast to the dtype a tensor already has, for wasm: they share the input's buffer
 * (one more reference), as tfjs's cpu Identity and wasm's own Reshape do, instead of copying it.
 * tfjs's tape saves every input a gradient needs as a clone (engine.saveTensorsForBackwardMode →
 * Identity): on wasm that was a real copy of every saved activation and weight, about a hundred
 * per GAN iteration, and the copies got new tensor ids, so XNNPACK operators cached on a weight missed for its clone.
 * Sharing is safe because tfjs never writes a tensor's buffer after creating it (a variable's
 * assign swaps buffers), and a buffer is freed when its last reference is disposed.
 */
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

function shared(backend: KernelBackend, x: TensorInfo): TensorInfo {
  (backend as KernelBackend & { incRef(dataId: object): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export function makeWasmIdentity(stock: KernelConfig): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x?: TensorInfo };
    if (x === undefined) throw new Error('Identity: input x is required');
    return x.dtype === 'string' ? stock.kernelFunc(args) : shared(args.backend as KernelBackend, x);
  };
}

/** tfjs's ReLU gradient casts its float32 step to float32: on wasm that copied the tensor. */
export function makeWasmCast(stock: KernelConfig): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x?: TensorInfo };
    if (x === undefined) throw new Error('Cast: input x is required');
    const { dtype } = args.attrs as { dtype?: string };
    return x.dtype === dtype && x.dtype !== 'string'
      ? shared(args.backend as KernelBackend, x)
      : stock.kernelFunc(args);
  };
}
