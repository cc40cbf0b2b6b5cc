/**
 * The parts of tfjs-backend-wasm's BackendWasm that JavaScript kernels use to
 * read and write tensors in place on the wasm heap (declared here so the
 * kernels need not import the backend class).
 */
import type { DataType, TensorInfo } from '@tensorflow/tfjs';

export interface WasmHeap {
  /** Allocates an output tensor on the heap (uninitialised). */
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  /** A typed-array view of a tensor's bytes on the heap; invalid after the heap grows. */
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}
