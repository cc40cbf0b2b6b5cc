/**
 * Run registered kernels of one backend directly, the way tfjs's own kernels
 * compose each other (e.g. wasm BatchMatMul calls Reshape): kernel in,
 * TensorInfo out, with no engine bookkeeping. Nothing run here is recorded on
 * the gradient tape or counted in tf.memory(), so a composite kernel built from
 * these calls looks like one kernel to the engine; it must free every
 * intermediate it makes (`free`) and return only its output.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelBackend, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';

export interface KernelInvoker {
  readonly backend: KernelBackend;
  /** Runs the kernel currently registered under `kernelName` for this backend. */
  run(kernelName: string, inputs: NamedTensorInfoMap, attrs?: NamedAttrMap): TensorInfo;
  /** Runs a specific kernel function (e.g. a stock kernel kept before patching). */
  runFunc(kernelFunc: KernelFunc, inputs: NamedTensorInfoMap, attrs?: NamedAttrMap): TensorInfo;
  /** Releases intermediates. Never pass the composite kernel's inputs or its output. */
  free(...infos: TensorInfo[]): void;
}

export function kernelInvoker(backend: KernelBackend, backendName: string): KernelInvoker {
  const runFunc = (kernelFunc: KernelFunc, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo => {
    const out = kernelFunc({ inputs, backend, attrs });
    if (Array.isArray(out)) throw new Error('kernelInvoker: expected a single-output kernel');
    return out;
  };
  return {
    backend,
    run(kernelName, inputs, attrs) {
      return runFunc(tf.getKernel(kernelName, backendName).kernelFunc, inputs, attrs);
    },
    runFunc,
    free(...infos) {
      // A kernel such as Reshape may return a view sharing its input's dataId
      // (with an extra reference); disposeData drops one reference per call,
      // so freeing each intermediate once is always right.
      for (const info of infos) backend.disposeData(info.dataId);
    },
  };
}
