/**
 * What one training iteration asks of the webgpu engine, counted on whatever adapter Dawn found:
 * kernels (tfjs kernel calls, our composite kernels as one), GPU dispatches (compute passes'
 * dispatchWorkgroups, through tfjs-backend-webgpu's recordAndSubmit), GPU buffers and bind groups
 * created, queue writes and submits, and the main thread's busy time (JavaScript, tfjs and Dawn's
 * encoding; the event loop's active time, which excludes waiting for the GPU).
 *
 * On a GPU the iteration's time is mostly this issuing work (docs/benchmarks.md), and it is the
 * same work on a software adapter, so these counts are measured here and checked in CI.
 */
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { profileKernels } from './profile.js';
import type { Rig } from './harness.js';

/** What the device was asked for, per iteration. */
interface Counted {
  /** GPU dispatches (tfjs's programs and ours). */
  dispatches: number;
  /** Buffer-to-buffer copies recorded (our packed kernels' gathers and scatters). */
  copies: number;
  /** GPU buffers created (new allocations; buffers reused from tfjs's pool are not counted). */
  buffersCreated: number;
  bindGroupsCreated: number;
  /**
   * Of those, bind groups whose entries (the same buffers, offsets and sizes) an earlier bind
   * group of the counted iterations had: what a bind-group cache could have served.
   */
  bindGroupsRepeated: number;
  /** queue.writeBuffer calls (uniforms and uploads). */
  queueWrites: number;
  submits: number;
}

export interface IterationCounts extends Counted {
  /** Kernel calls per iteration (tf.profile, wrappers left out). */
  kernels: number;
  /** Main thread busy time per iteration, ms (event-loop active time: JavaScript and Dawn). */
  busyMs: number;
  /** Of busyMs, the time inside queue.submit: on a software adapter, where the GPU's work runs. */
  submitMs: number;
  /** Wall time per iteration, ms. */
  wallMs: number;
  /** Kernel calls by name, most first (from the profiled iteration). */
  byName: { name: string; calls: number }[];
}

type Method = (...args: unknown[]) => unknown;

/** Replaces `obj[name]` by `around(call)`, where call runs the original; returns the undo. */
function wrap(
  obj: Record<string, unknown>,
  name: string,
  around: (call: () => unknown, args: unknown[]) => unknown,
): () => void {
  const original = obj[name] as Method;
  const own = Object.prototype.hasOwnProperty.call(obj, name);
  obj[name] = function (this: unknown, ...args: unknown[]) {
    return around(() => original.apply(this, args), args);
  };
  return () => {
    if (own) obj[name] = original;
    else delete obj[name];
  };
}

/** Counts the calls of `obj[name]` in `counts[key]`. */
function countCalls(obj: Record<string, unknown>, name: string, counts: Counted, key: keyof Counted): () => void {
  return wrap(obj, name, (call) => {
    counts[key] += 1;
    return call();
  });
}

/** Adds the time spent in `obj[name]` to `time.ms`. */
function timeCalls(obj: Record<string, unknown>, name: string, time: { ms: number }): () => void {
  return wrap(obj, name, (call) => {
    const t0 = performance.now();
    try {
      return call();
    } finally {
      time.ms += performance.now() - t0;
    }
  });
}

/** Hands the arguments of each call of `obj[name]` to `visit` first. */
function visitArguments(obj: Record<string, unknown>, name: string, visit: (args: unknown[]) => void): () => void {
  return wrap(obj, name, (call, args) => {
    visit(args);
    return call();
  });
}

/** Hands each result of `obj[name]` to `visit` first. */
function visitResults(obj: Record<string, unknown>, name: string, visit: (result: Record<string, unknown>) => void) {
  return wrap(obj, name, (call) => {
    const result = call() as Record<string, unknown>;
    visit(result);
    return result;
  });
}

/**
 * Counts dispatches and copies in every command encoder the device creates from now on, whoever
 * records them (tfjs's programs, our own passes). Returns the undo.
 */
function countEncoded(device: Record<string, unknown>, counts: Counted): () => void {
  return visitResults(device, 'createCommandEncoder', (encoder) => {
    countCalls(encoder, 'copyBufferToBuffer', counts, 'copies');
    visitResults(encoder, 'beginComputePass', (pass) => countCalls(pass, 'dispatchWorkgroups', counts, 'dispatches'));
  });
}

/** Counts bind groups created with entries seen before (objects told apart by an id of ours). */
function countRepeatedBindGroups(device: Record<string, unknown>, counts: Counted): () => void {
  const ids = new WeakMap<object, number>();
  let next = 0;
  const idOf = (o: object) => ids.get(o) ?? (ids.set(o, ++next), next);
  const seen = new Set<string>();
  type Entry = { resource: { buffer?: object; offset?: number; size?: number } };
  return visitArguments(device, 'createBindGroup', ([descriptor]) => {
    const entries = (descriptor as { entries: Entry[] }).entries;
    const key = entries
      .map(({ resource: r }) => (r.buffer ? `${idOf(r.buffer)}:${r.offset ?? 0}:${r.size ?? ''}` : '?'))
      .join(',');
    if (seen.has(key)) counts.bindGroupsRepeated += 1;
    else seen.add(key);
  });
}

/** The counts over `iterations` steady-state iterations of `rig` (after `warmup` more), per iteration. */
export async function countIterations(rig: Rig, iterations = 5, warmup = 3): Promise<IterationCounts> {
  if (tf.getBackend() !== 'webgpu') throw new Error(`webgpu counts: the active backend is ${tf.getBackend()}`);
  const backend = tf.backend() as unknown as Record<string, unknown> & {
    device: Record<string, unknown>;
    queue: Record<string, unknown>;
  };
  for (let i = 0; i < warmup; i++) await rig.trainer.trainIteration(rig.real);
  const profile = await profileKernels(() => rig.trainer.trainIteration(rig.real));
  // One more unprofiled iteration: profiling submits and queries per kernel, and pools differ after it.
  await rig.trainer.trainIteration(rig.real);

  const submitTime = { ms: 0 };
  const counts: Counted = {
    dispatches: 0,
    copies: 0,
    buffersCreated: 0,
    bindGroupsCreated: 0,
    bindGroupsRepeated: 0,
    queueWrites: 0,
    submits: 0,
  };
  const undo = [
    countEncoded(backend.device, counts),
    countCalls(backend, 'submitQueue', counts, 'submits'),
    countCalls(backend.device, 'createBuffer', counts, 'buffersCreated'),
    countCalls(backend.device, 'createBindGroup', counts, 'bindGroupsCreated'),
    countRepeatedBindGroups(backend.device, counts),
    countCalls(backend.queue, 'writeBuffer', counts, 'queueWrites'),
    timeCalls(backend.queue, 'submit', submitTime),
  ];
  let busyMs = 0;
  const started = performance.now();
  try {
    for (let i = 0; i < iterations; i++) {
      const before = performance.eventLoopUtilization();
      await rig.trainer.trainIteration(rig.real);
      busyMs += performance.eventLoopUtilization(before).active;
    }
  } finally {
    // Last wrapped, first unwrapped: createBindGroup carries two wrappers.
    for (const u of undo.reverse()) u();
  }
  const wallMs = performance.now() - started;
  const per = (n: number) => n / iterations;
  return {
    kernels: profile.kernelCalls,
    dispatches: per(counts.dispatches),
    copies: per(counts.copies),
    buffersCreated: per(counts.buffersCreated),
    bindGroupsCreated: per(counts.bindGroupsCreated),
    bindGroupsRepeated: per(counts.bindGroupsRepeated),
    queueWrites: per(counts.queueWrites),
    submits: per(counts.submits),
    busyMs: per(busyMs),
    submitMs: per(submitTime.ms),
    wallMs: per(wallMs),
    byName: profile.kernels.map(({ name, calls }) => ({ name, calls })).sort((a, b) => b.calls - a.calls),
  };
}
