/**
 * Uploads without a buffer per upload. tfjs-backend-webgpu copies a tensor's values to the GPU
 * through a mapped staging buffer that it creates and destroys for every upload (every noise
 * batch, label batch and scalar an iteration makes). queue.writeBuffer takes the values straight
 * into a pooled buffer instead; Dawn stages them in its own ring.
 *
 * Order is kept: a pooled buffer is handed out only once no recorded command uses it (tfjs
 * releases such buffers after the submit), and writeBuffer lands before any command recorded
 * after it, the way tfjs's own uniform buffers are written.
 */
import type { KernelBackend } from '@tensorflow/tfjs';
import { storageUsage } from './webgpu-program.js';

interface TensorData {
  values: ArrayLike<number> | null;
  dtype: string;
  shape: number[];
  resource: unknown;
}
interface UploadingBackend {
  tensorMap: { get(dataId: object): TensorData };
  queue: { writeBuffer(buffer: unknown, offset: number, data: ArrayBufferView): void };
  bufferManager: { acquireBuffer(size: number, usage: number): unknown };
  uploadToGPU(dataId: object): void;
}

const patched = new WeakSet<object>();

/** The values as the 4-byte type the backend stores this dtype in on the GPU. */
function gpuValues(data: TensorData): ArrayBufferView | undefined {
  const values = data.values!;
  if (data.dtype === 'float32') return values instanceof Float32Array ? values : Float32Array.from(values);
  if (data.dtype === 'int32' || data.dtype === 'bool')
    return values instanceof Int32Array ? values : Int32Array.from(values);
  return undefined; // complex64, string: tfjs's own path
}

/** Routes the backend's uploads through queue.writeBuffer (once per backend). */
export function writeUploadsDirectly(backend: KernelBackend): void {
  if (patched.has(backend)) return;
  patched.add(backend);
  const gpu = backend as unknown as UploadingBackend;
  const stock = gpu.uploadToGPU.bind(gpu);
  gpu.uploadToGPU = (dataId: object) => {
    const data = gpu.tensorMap.get(dataId);
    const values = data.resource == null && data.values ? gpuValues(data) : undefined;
    if (!values || values.byteLength === 0) return stock(dataId);
    const buffer = gpu.bufferManager.acquireBuffer(values.byteLength, storageUsage());
    gpu.queue.writeBuffer(buffer, 0, values);
    data.values = null; // once uploaded, tfjs keeps no copy on the CPU
    data.resource = buffer;
  };
}
