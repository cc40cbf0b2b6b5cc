/**
 * Our own compute passes on tfjs-backend-webgpu's command stream, for kernels its program model
 * cannot express: one dispatch over many tensors at once. The tensors are copied into one pooled
 * scratch buffer (buffer copies in the command encoder, not dispatches), one shader updates them
 * in place there, and the results are copied out into new tensors. Adam over a whole network and
 * the generator average are one dispatch each this way instead of one (or three) per weight.
 *
 * Everything goes through the backend's own encoder, buffer pool and uniform buffers, in its
 * order: copies and dispatches run where tfjs would have run its kernels, and the scratch and
 * uniform buffers go back to the pool after the next submit, as tfjs's uniforms do.
 */
import { util, type KernelBackend, type TensorInfo } from '@tensorflow/tfjs';
import { storageUsage, type Uniform } from './webgpu-program.js';

/** The WebGPU objects we touch (structural; no dependency on @webgpu/types). */
interface GpuBuffer {
  size: number;
}
interface GpuPass {
  setPipeline(p: unknown): void;
  setBindGroup(i: number, g: unknown): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
  end(): void;
}
interface GpuEncoder {
  copyBufferToBuffer(src: GpuBuffer, srcOffset: number, dst: GpuBuffer, dstOffset: number, size: number): void;
  beginComputePass(desc?: object): GpuPass;
}
interface GpuDevice {
  limits: { maxStorageBufferBindingSize: number };
  createShaderModule(desc: { code: string }): unknown;
  createComputePipeline(desc: object): { getBindGroupLayout(i: number): unknown };
  createBindGroup(desc: object): unknown;
}
/** What of tfjs-backend-webgpu's WebGPUBackend this file uses (its own fields and methods). */
export interface WebgpuBackendInternals extends KernelBackend {
  device: GpuDevice;
  commandEncoder: GpuEncoder | null;
  computePassEncoder: GpuPass | null;
  dispatchCountInPass: number;
  commandQueueOwnedIds: WeakSet<object>;
  uniformPendingDisposal: GpuBuffer[];
  tensorMap: { get(dataId: object): { resource: GpuBuffer | null } };
  bufferManager: { acquireBuffer(size: number, usage: number): GpuBuffer };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  uploadToGPU(dataId: object): void;
  makeTensorInfo(shape: number[], dtype: 'float32'): TensorInfo;
  makeUniforms(uniforms: Uniform[]): { buffer: GpuBuffer; offset: number; size: number };
}

const WORKGROUP = 256;
/** WebGPU's guaranteed maximum workgroups per dimension. */
const MAX_WORKGROUPS = 65535;

const pipelines = new WeakMap<GpuDevice, Map<string, ReturnType<GpuDevice['createComputePipeline']>>>();

function pipelineFor(device: GpuDevice, code: string) {
  let cache = pipelines.get(device);
  if (!cache) pipelines.set(device, (cache = new Map()));
  let pipeline = cache.get(code);
  if (!pipeline) {
    pipeline = device.createComputePipeline({
      layout: 'auto',
      compute: { module: device.createShaderModule({ code }), entryPoint: 'main' },
    });
    cache.set(code, pipeline);
  }
  return pipeline;
}

/**
 * A shader over a packed array P of `count` elements, one invocation per element: `body` reads and
 * writes P[...] with the element's index `i` and the uniforms `u` (the fields of `params`, f32 each,
 * after `n`, the element count). Segments of P are laid out by the caller.
 */
export function packedShader(params: string[], body: string): string {
  const fields = ['n : u32', 'rowLength : u32', ...params.map((p) => `${p} : f32`)].join(', ');
  return `
struct Params { ${fields} }
@group(0) @binding(0) var<storage, read_write> P : array<f32>;
@group(0) @binding(1) var<uniform> u : Params;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) id : vec3<u32>) {
  let i = id.y * u.rowLength + id.x;
  if (i >= u.n) { return; }
  let n = u.n;
  ${body}
}`;
}

export const sizeOf = (t: TensorInfo): number => util.sizeFromShape(t.shape);

/**
 * The buffer of a tensor a command about to be recorded uses: uploaded if its values are still on
 * the CPU, and its release deferred to the next submit, as tfjs does for its own programs' tensors.
 */
function recordedBuffer(gpu: WebgpuBackendInternals, t: TensorInfo): GpuBuffer {
  gpu.uploadToGPU(t.dataId);
  gpu.commandQueueOwnedIds.add(t.dataId);
  return gpu.tensorMap.get(t.dataId).resource!;
}

/** The backend's command encoder, outside any compute pass (copies cannot be recorded inside one). */
function encoderForCopies(gpu: WebgpuBackendInternals): GpuEncoder {
  gpu.ensureCommandEncoderReady();
  gpu.endComputePassEncoder();
  return gpu.commandEncoder!;
}

/** A new float32 tensor of `shape`, filled by a copy from `from` at float `offset`. */
function copyIntoNew(gpu: WebgpuBackendInternals, from: GpuBuffer, offset: number, shape: number[]): TensorInfo {
  const out = gpu.makeTensorInfo([...shape], 'float32');
  const bytes = util.sizeFromShape(shape) * 4;
  encoderForCopies(gpu).copyBufferToBuffer(from, offset * 4, recordedBuffer(gpu, out), 0, bytes);
  return out;
}

/** A run of one packed shader: tensors copied in at float offsets, the dispatch, tensors copied out. */
export class PackedRun {
  private readonly encoder: GpuEncoder;
  private readonly scratch: GpuBuffer;

  constructor(
    private readonly gpu: WebgpuBackendInternals,
    floats: number,
  ) {
    this.encoder = encoderForCopies(gpu);
    this.scratch = gpu.bufferManager.acquireBuffer(floats * 4, storageUsage());
    // Back to the pool after the next submit, when the commands that use it have run.
    gpu.uniformPendingDisposal.push(this.scratch);
  }

  /** Copies each tensor's values into P from `offset` on, one after another; returns the end. */
  copyIn(tensors: TensorInfo[], offset: number): number {
    for (const t of tensors) {
      const bytes = sizeOf(t) * 4;
      this.encoder.copyBufferToBuffer(recordedBuffer(this.gpu, t), 0, this.scratch, offset * 4, bytes);
      offset += bytes / 4;
    }
    return offset;
  }

  /** One invocation per element of P[0, count): the shader's `n` is `count`. */
  dispatch(code: string, count: number, params: number[]): void {
    const gpu = this.gpu;
    const groups = Math.ceil(count / WORKGROUP);
    const [x, y] = groups <= MAX_WORKGROUPS ? [groups, 1] : [MAX_WORKGROUPS, Math.ceil(groups / MAX_WORKGROUPS)];
    const uniforms: Uniform[] = [
      { type: 'uint32', data: [count] },
      { type: 'uint32', data: [x * WORKGROUP] },
      ...params.map((p): Uniform => ({ type: 'float32', data: [p] })),
    ];
    const pipeline = pipelineFor(gpu.device, code);
    const bindGroup = gpu.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: this.scratch } },
        { binding: 1, resource: gpu.makeUniforms(uniforms) },
      ],
    });
    const pass = this.encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(x, y);
    pass.end();
    gpu.dispatchCountInPass += 1;
  }

  /** New tensors shaped like `like`, filled from P at `offset` on, one after another. */
  copyOut(like: TensorInfo[], offset: number): TensorInfo[] {
    return like.map((t) => {
      const out = copyIntoNew(this.gpu, this.scratch, offset, t.shape);
      offset += sizeOf(t);
      return out;
    });
  }
}

/** Total elements of the tensors. */
export function totalSize(tensors: TensorInfo[]): number {
  return tensors.reduce((n, t) => n + sizeOf(t), 0);
}

/** The rows of a [k, …] tensor as k new tensors of the row's shape, by buffer copies. */
export function splitRows(gpu: WebgpuBackendInternals, source: TensorInfo): TensorInfo[] {
  const [k, ...row] = source.shape;
  const from = recordedBuffer(gpu, source);
  return Array.from({ length: k! }, (_, r) => copyIntoNew(gpu, from, r * util.sizeFromShape(row), row));
}
