/**
 * The batch-norm training kernels (batch-norm-train.ts) on webgpu: forward in three dispatches
 * (the batch statistics, y, the moving averages), backward in two (the column sums Σdy and Σdy·x̂,
 * then dx). The statistics are computed as tfjs computes them: mean = Σx / N, then
 * variance = Σ(x − mean)² / N, and y = (x − mean)·(scale/√(var + ε)) + offset as its shader does.
 */
import { util, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD, type BatchNormTrainAttrs } from './batch-norm-train.js';
import { columnLayout } from './webgpu-column-sums.js';
import { splitRows, type WebgpuBackendInternals } from './webgpu-packed.js';
import { elementwiseProgram, float, int, type ProgramBackend } from './webgpu-program.js';

type Backend = WebgpuBackendInternals & ProgramBackend;

/** Rows and columns of x seen as [N, C] (C the last axis). */
function rowsAndColumns(x: TensorInfo): [number, number] {
  const columns = x.shape[x.shape.length - 1]!;
  return [util.sizeFromShape(x.shape) / columns, columns];
}

/** stats [2, C]: the mean of each column, then its biased variance (two passes over the rows). */
function statsProgram(columns: number) {
  const layout = columnLayout('bn_stats', columns);
  return {
    ...layout,
    outputShape: [2, columns],
    variableNames: ['x'],
    uniforms: 'rows : i32, columns : i32,',
    getUserCode: () => `
      ${layout.helpers}
      fn main(index : i32) {
        ${layout.threadPosition}
        let inside = column < uniforms.columns;
        var sum = 0.0;
        if (inside) {
          for (var r = lane; r < uniforms.rows; r = r + ${layout.lanes}) {
            sum = sum + x[r * uniforms.columns + column];
          }
        }
        let mean = columnTotal(sum) / f32(uniforms.rows);
        var squares = 0.0;
        if (inside) {
          for (var r = lane; r < uniforms.rows; r = r + ${layout.lanes}) {
            let d = x[r * uniforms.columns + column] - mean;
            squares = squares + d * d;
          }
        }
        let variance = columnTotal(squares) / f32(uniforms.rows);
        if (lane == 0 && inside) {
          setOutputAtIndex(column, mean);
          setOutputAtIndex(uniforms.columns + column, variance);
        }
      }`,
  };
}

/** sums [2, C]: Σ dy and Σ dy·x̂ down each column. */
function gradSumsProgram(columns: number) {
  const layout = columnLayout('bn_grad_sums', columns);
  return {
    ...layout,
    outputShape: [2, columns],
    variableNames: ['dy', 'x', 'stats'],
    uniforms: 'rows : i32, columns : i32, epsilon : f32,',
    getUserCode: () => `
      ${layout.helpers}
      fn main(index : i32) {
        ${layout.threadPosition}
        let inside = column < uniforms.columns;
        var sumDy = 0.0;
        var sumDyXhat = 0.0;
        if (inside) {
          let mean = stats[column];
          let invStd = inverseSqrt(stats[uniforms.columns + column] + uniforms.epsilon);
          for (var r = lane; r < uniforms.rows; r = r + ${layout.lanes}) {
            let at = r * uniforms.columns + column;
            sumDy = sumDy + dy[at];
            sumDyXhat = sumDyXhat + dy[at] * ((x[at] - mean) * invStd);
          }
        }
        let totalDy = columnTotal(sumDy);
        let totalDyXhat = columnTotal(sumDyXhat);
        if (lane == 0 && inside) {
          setOutputAtIndex(column, totalDy);
          setOutputAtIndex(uniforms.columns + column, totalDyXhat);
        }
      }`,
  };
}

export const webgpuBatchNormTrain: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, scale, offset, movingMean, movingVariance } = inputs;
  if (!x || !scale || !offset || !movingMean || !movingVariance)
    throw new Error(`${BATCH_NORM_TRAIN}: inputs x, scale, offset, movingMean, movingVariance are required`);
  const { epsilon, momentum } = attrs as unknown as BatchNormTrainAttrs;
  const gpu = backend as unknown as Backend;
  const [rows, columns] = rowsAndColumns(x);
  const stats = gpu.runWebGPUProgram(statsProgram(columns), [x], 'float32', [int(rows), int(columns)]);
  const y = gpu.runWebGPUProgram(
    elementwiseProgram(
      'bn_normalize',
      [...x.shape],
      ['x', 'stats', 'scale', 'offset'],
      'columns : i32, epsilon : f32,',
      `let c = index % uniforms.columns;
          let inv = scale[c] * inverseSqrt(stats[uniforms.columns + c] + uniforms.epsilon);
          let value = (x[index] - stats[c]) * inv + offset[c];`,
    ),
    [x, stats, scale, offset],
    'float32',
    [int(columns), float(epsilon)],
  );
  // Row 0: the moving mean, row 1: the moving variance; each m − (m − batch value)·decay.
  const moved = gpu.runWebGPUProgram(
    elementwiseProgram(
      'bn_moving',
      [2, columns],
      ['stats', 'movingMean', 'movingVariance'],
      'columns : i32, decay : f32,',
      `let c = index % uniforms.columns;
          var m = movingMean[c];
          if (index >= uniforms.columns) { m = movingVariance[c]; }
          let value = m - (m - stats[index]) * uniforms.decay;`,
    ),
    [stats, movingMean, movingVariance],
    'float32',
    [int(columns), float(1 - momentum)],
  );
  const [mean, variance] = splitRows(gpu, moved);
  gpu.disposeData(moved.dataId);
  return [y, stats, mean!, variance!];
};

export const webgpuBatchNormTrainGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x, scale, stats } = inputs;
  if (!dy || !x || !scale || !stats)
    throw new Error(`${BATCH_NORM_TRAIN_GRAD}: inputs dy, x, scale, stats are required`);
  const { epsilon } = attrs as unknown as BatchNormTrainAttrs;
  const gpu = backend as unknown as Backend;
  const [rows, columns] = rowsAndColumns(x);
  const sums = gpu.runWebGPUProgram(gradSumsProgram(columns), [dy, x, stats], 'float32', [
    int(rows),
    int(columns),
    float(epsilon),
  ]);
  const dx = gpu.runWebGPUProgram(
    elementwiseProgram(
      'bn_grad_x',
      [...x.shape],
      ['dy', 'x', 'scale', 'stats', 'sums'],
      'columns : i32, epsilon : f32, rows : f32,',
      `let c = index % uniforms.columns;
          let invStd = inverseSqrt(stats[uniforms.columns + c] + uniforms.epsilon);
          let xHat = (x[index] - stats[c]) * invStd;
          let value = scale[c] * invStd * (dy[index] - (sums[c] + xHat * sums[uniforms.columns + c]) / uniforms.rows);`,
    ),
    [dy, x, scale, stats, sums],
    'float32',
    [int(columns), float(epsilon), float(rows)],
  );
  const [dOffset, dScale] = splitRows(gpu, sums);
  gpu.disposeData(sums.dataId);
  return [dx, dScale!, dOffset!];
};
