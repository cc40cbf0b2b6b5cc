/**
 * What our webgpu kernels need of tfjs-backend-webgpu's program model: `runWebGPUProgram` (the
 * backend binds the inputs by their variable names, the output as `result`, and the uniforms
 * after its own shape uniforms), an element-wise program over one output, and the usage flags of
 * its storage buffers.
 */
import { util, type TensorInfo } from '@tensorflow/tfjs';

export interface Uniform {
  type: 'int32' | 'uint32' | 'float32';
  data: number[];
}

declare const GPUBufferUsage: { STORAGE: number; COPY_SRC: number; COPY_DST: number };

/** The usage of tfjs-backend-webgpu's tensor buffers (and of our scratch buffers). */
export const storageUsage = (): number => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

export interface ProgramBackend {
  runWebGPUProgram(program: object, inputs: TensorInfo[], dtype: 'float32', uniforms: Uniform[]): TensorInfo;
}

export const int = (v: number): Uniform => ({ type: 'int32', data: [v] });
export const float = (v: number): Uniform => ({ type: 'float32', data: [v] });

const WORKGROUP = 64;

/**
 * One thread per output value: `body` sets `value` from the inputs (read as flat arrays by their
 * variable names) at `index`; `uniforms` declares the program's own uniforms ("name : type,").
 */
export function elementwiseProgram(
  key: string,
  shape: number[],
  variableNames: string[],
  uniforms: string,
  body: string,
) {
  const size = util.sizeFromShape(shape);
  return {
    outputShape: shape,
    shaderKey: `gan_${key}`,
    dispatchLayout: { x: shape.map((_, i) => i) },
    dispatch: [Math.ceil(size / WORKGROUP), 1, 1],
    variableNames,
    workgroupSize: [WORKGROUP, 1, 1],
    size: true,
    uniforms,
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${body}
          setOutputAtIndex(index, value);
        }
      }`,
  };
}
