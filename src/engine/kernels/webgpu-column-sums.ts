/**
 * Sum and Mean over leading axes (bias and batch-norm gradients, the batch means of the losses)
 * as one dispatch. tfjs-backend-webgpu reduces over inner axes only, so it transposes first: two
 * dispatches per reduction. Here each workgroup sums a block of columns of the input seen as
 * [rows, columns], its threads striding down the rows, and adds the partial sums in workgroup
 * memory. Other reductions (inner axes, other dtypes) run the stock kernels.
 */
import type { KernelConfig, KernelFunc, SumAttrs, TensorInfo } from '@tensorflow/tfjs';

interface ProgramBackend {
  runWebGPUProgram(
    program: object,
    inputs: TensorInfo[],
    dtype: 'float32',
    uniforms: { type: 'int32' | 'float32'; data: number[] }[],
  ): TensorInfo;
}

const THREADS = 256;

/** Columns per workgroup: up to 64, fewer for narrow inputs, so more threads share the rows. */
function columnsPerGroup(columns: number): number {
  let c = 1;
  while (c < columns && c < 64) c *= 2;
  return c;
}

function columnSumProgram(outputShape: number[], columns: number) {
  const cols = columnsPerGroup(columns);
  const lanes = THREADS / cols;
  const halvings: string[] = [];
  for (let s = lanes / 2; s >= 1; s /= 2) {
    halvings.push(`if (lane < ${s}u) { partial[here] = partial[here] + partial[here + ${s * cols}u]; }
      workgroupBarrier();`);
  }
  return {
    outputShape,
    shaderKey: `gan_column_sum_${cols}`,
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(columns / cols), 1, 1],
    variableNames: ['x'],
    workgroupSize: [THREADS, 1, 1],
    uniforms: 'rows : i32, columns : i32, divisor : f32,',
    getUserCode: () => `
      var<workgroup> partial : array<f32, ${THREADS}>;
      fn main(index : i32) {
        // Thread = lane · ${cols} + column within the block: lanes share the rows of a column.
        let lane = localIndex / ${cols}u;
        let column = i32((workgroupId.y * numWorkgroups.x + workgroupId.x) * ${cols}u + localIndex % ${cols}u);
        let here = localIndex;
        var sum = 0.0;
        if (column < uniforms.columns) {
          for (var r = i32(lane); r < uniforms.rows; r = r + ${lanes}) {
            sum = sum + x[r * uniforms.columns + column];
          }
        }
        partial[here] = sum;
        workgroupBarrier();
        ${halvings.join('\n        ')}
        if (lane == 0u && column < uniforms.columns) {
          setOutputAtIndex(column, partial[here] / uniforms.divisor);
        }
      }`,
  };
}

/** The number of leading axes `axis` names, or undefined when it names others. */
function leadingAxes(axis: number | number[], rank: number): number | undefined {
  const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort(
    (a, b) => a - b,
  );
  return axes.every((a, i) => a === i) ? axes.length : undefined;
}

/** Sum (mean = false) or Mean over leading axes in one dispatch, else the stock kernel. */
export function columnReduce(stock: KernelConfig, mean: boolean): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo | undefined;
    const { axis, keepDims } = args.attrs as unknown as SumAttrs;
    const k = x && x.dtype === 'float32' ? leadingAxes(axis, x.shape.length) : undefined;
    if (!x || k === undefined || k === 0) return stock.kernelFunc(args);
    const rows = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
    const inner = x.shape.slice(k);
    const columns = inner.reduce((a, b) => a * b, 1);
    if (rows === 0 || columns === 0) return stock.kernelFunc(args);
    const outputShape = keepDims ? [...x.shape.slice(0, k).map(() => 1), ...inner] : inner;
    const program = columnSumProgram(outputShape.length ? outputShape : [], columns);
    const uniforms = [
      { type: 'int32' as const, data: [rows] },
      { type: 'int32' as const, data: [columns] },
      { type: 'float32' as const, data: [mean ? rows : 1] },
    ];
    return (args.backend as unknown as ProgramBackend).runWebGPUProgram(program, [x], 'float32', uniforms);
  };
}
