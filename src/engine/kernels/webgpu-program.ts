/**
 * What our webgpu kernels need of tfjs-backend-webgpu's program model: `runWebGPUProgram` (the
 * backend binds the inputs by their variable names, the output as `result`, and the uniforms
 * after its own shape uniforms) and an element-wise program over one output.
 */
import type { TensorInfo } from '@tensorflow/tfjs';

export interface Uniform {
  type: 'int32' | 'float32';
  data: number[];
}

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
  const size = shape.reduce((a, b) => a * b, 1);
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
