/**
 * Conv2DBackpropFilter on webgpu as two dispatches: the input unfolded into patches (im2col,
 * [positions, kh·kw·ci]) and one matrix product with the output gradient,
 *   dW[kh, kw, ci, co] = Σ over positions  patches[position, (kh, kw, ci)] · dy[position, co],
 * which tfjs's matrix-product kernels run well. (tfjs's own direct filter-gradient shader is slow
 * on GPUs; as a dilated convolution, conv2d-filter-grad.ts, it takes three transposes more.)
 */
import type { Conv2DBackpropFilterAttrs, TensorInfo } from '@tensorflow/tfjs';
import { conv2dFilterGrad, filterGradGeometry } from './conv2d-filter-grad.js';
import type { KernelInvoker } from './invoke.js';
import { elementwiseProgram, int, type ProgramBackend } from './webgpu-program.js';

/** patches[n, k]: n = (b, oh, ow), k = (fh, fw, c); zero where the window reads padding. */
function im2colProgram(positions: number, patch: number) {
  return elementwiseProgram(
    'im2col',
    [positions, patch],
    ['x'],
    'inHeight : i32, inWidth : i32, channels : i32, outHeight : i32, outWidth : i32, ' +
      'strideHeight : i32, strideWidth : i32, padTop : i32, padLeft : i32, filterWidth : i32, patchSize : i32,',
    `let k = index % uniforms.patchSize;
          let n = index / uniforms.patchSize;
          let c = k % uniforms.channels;
          let fw = (k / uniforms.channels) % uniforms.filterWidth;
          let fh = k / (uniforms.channels * uniforms.filterWidth);
          let ow = n % uniforms.outWidth;
          let oh = (n / uniforms.outWidth) % uniforms.outHeight;
          let b = n / (uniforms.outWidth * uniforms.outHeight);
          let ih = oh * uniforms.strideHeight + fh - uniforms.padTop;
          let iw = ow * uniforms.strideWidth + fw - uniforms.padLeft;
          var value = 0.0;
          if (ih >= 0 && ih < uniforms.inHeight && iw >= 0 && iw < uniforms.inWidth) {
            value = x[((b * uniforms.inHeight + ih) * uniforms.inWidth + iw) * uniforms.channels + c];
          }`,
  );
}

export function webgpuFilterGrad(
  k: KernelInvoker,
  x: TensorInfo,
  dy: TensorInfo,
  attrs: Conv2DBackpropFilterAttrs,
): TensorInfo {
  const { filterShape } = attrs;
  const info = filterGradGeometry(x, dy, attrs);
  const positions = info.batchSize * info.outHeight * info.outWidth;
  const patch = info.filterHeight * info.filterWidth * info.inChannels;
  // The patches are kh·kw times x's size: past the device's largest binding, the dilated
  // convolution (three transposes more, no such buffer).
  const limit = (k.backend as unknown as { device: { limits: { maxStorageBufferBindingSize: number } } }).device.limits
    .maxStorageBufferBindingSize;
  if (positions * patch * 4 > limit) return conv2dFilterGrad(k, x, dy, attrs);
  const uniforms = [
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
    info.filterWidth,
    patch,
  ].map(int);
  const patches = (k.backend as unknown as ProgramBackend).runWebGPUProgram(
    im2colProgram(positions, patch),
    [x],
    'float32',
    uniforms,
  );
  const a = k.run('Reshape', { x: patches }, { shape: [1, positions, patch] });
  const b = k.run('Reshape', { x: dy }, { shape: [1, positions, info.outChannels] });
  const product = k.run('BatchMatMul', { a, b }, { transposeA: true, transposeB: false });
  const dw = k.run('Reshape', { x: product }, { shape: filterShape });
  k.free(patches, a, b, product);
  return dw;
}
