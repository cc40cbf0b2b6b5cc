/**
 * Sums down the columns of a tensor seen as [rows, columns], one dispatch: each workgroup owns a
 * block of columns, its threads stride down the rows of their column (lanes), and the lanes'
 * partial sums are added in workgroup memory. Used for Sum and Mean over leading axes (bias and
 * batch-norm gradients, the batch means of the losses): tfjs-backend-webgpu reduces over inner
 * axes only, so it transposes first, two dispatches per reduction. Other reductions (inner axes,
 * other dtypes) run the stock kernels. The batch-norm kernels (webgpu-batch-norm.ts) build on the
 * same layout.
 */
import { util, type KernelConfig, type KernelFunc, type SumAttrs, type TensorInfo } from '@tensorflow/tfjs';
import { float, int, type ProgramBackend } from './webgpu-program.js';

const THREADS = 256;

/** Workgroups a column pass aims for: enough to keep a large GPU's compute units busy. */
const TARGET_GROUPS = 128;

/**
 * A workgroup's columns: as few as keep about TARGET_GROUPS workgroups (at most 64 columns), so
 * the rows are shared by many lanes in many workgroups (a bias gradient of 64 channels over
 * 12,544 rows runs in 64 workgroups, not one).
 */
function columnsPerGroup(columns: number): number {
  let c = 1;
  while (c < 64 && c * 2 * TARGET_GROUPS <= columns) c *= 2;
  return c;
}

/**
 * The parts of a column program: its workgroup layout and WGSL that declares `lane`, `column`
 * (this thread's) and `columnTotal(v)`, the sum of v over the lanes of this thread's column,
 * returned to every lane. columnTotal must be called from uniform control flow (it has barriers).
 */
export function columnLayout(key: string, columns: number) {
  const cols = columnsPerGroup(columns);
  const lanes = THREADS / cols;
  const halvings: string[] = [];
  for (let s = lanes / 2; s >= 1; s /= 2) {
    halvings.push(`if (lane < ${s}u) { partial[localIndex] = partial[localIndex] + partial[localIndex + ${s * cols}u]; }
        workgroupBarrier();`);
  }
  return {
    shaderKey: `gan_${key}_${cols}`,
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(columns / cols), 1, 1],
    workgroupSize: [THREADS, 1, 1],
    lanes,
    /** Module-scope WGSL; then `let lane = …; let column = …;` come from `threadPosition`. */
    helpers: `
      var<workgroup> partial : array<f32, ${THREADS}>;
      var<workgroup> totals : array<f32, ${cols}>;
      fn columnTotal(v : f32) -> f32 {
        let lane = localIndex / ${cols}u;
        partial[localIndex] = v;
        workgroupBarrier();
        ${halvings.join('\n        ')}
        // The total leaves partial before any lane writes partial again (the next call).
        if (lane == 0u) { totals[localIndex] = partial[localIndex]; }
        workgroupBarrier();
        let total = totals[localIndex % ${cols}u];
        workgroupBarrier();
        return total;
      }`,
    threadPosition: `
        let lane = i32(localIndex / ${cols}u);
        let column = i32((workgroupId.y * numWorkgroups.x + workgroupId.x) * ${cols}u + localIndex % ${cols}u);`,
  };
}

function columnSumProgram(outputShape: number[], columns: number) {
  const layout = columnLayout('column_sum', columns);
  return {
    ...layout,
    outputShape,
    variableNames: ['x'],
    uniforms: 'rows : i32, columns : i32, divisor : f32,',
    getUserCode: () => `
      ${layout.helpers}
      fn main(index : i32) {
        ${layout.threadPosition}
        var sum = 0.0;
        if (column < uniforms.columns) {
          for (var r = lane; r < uniforms.rows; r = r + ${layout.lanes}) {
            sum = sum + x[r * uniforms.columns + column];
          }
        }
        let total = columnTotal(sum);
        if (lane == 0 && column < uniforms.columns) {
          setOutputAtIndex(column, total / uniforms.divisor);
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
    const rows = util.sizeFromShape(x.shape.slice(0, k));
    const inner = x.shape.slice(k);
    const columns = util.sizeFromShape(inner);
    if (rows === 0 || columns === 0) return stock.kernelFunc(args);
    const outputShape = keepDims ? [...x.shape.slice(0, k).map(() => 1), ...inner] : inner;
    const uniforms = [int(rows), int(columns), float(mean ? rows : 1)];
    const program = columnSumProgram(outputShape, columns);
    return (args.backend as unknown as ProgramBackend).runWebGPUProgram(program, [x], 'float32', uniforms);
  };
}
