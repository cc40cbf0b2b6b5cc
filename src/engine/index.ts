// The engine's public surface: the only module outside src/engine/ may import (and only
// src/cli.ts and src/commands/ do; a test checks it). Everything else is written against
// plain tfjs and receives what it needs from here as values (e.g. Engine.updates).
export {
  describeEngine,
  engineDetails,
  ENGINE_REQUESTS,
  requestedEngine,
  selectEngine,
  type Engine,
  type EngineRequest,
  type Workload,
} from './select.js';
export { showNativeOutput } from './native-output.js';
export { loadNativeSummaries } from './native-summaries.js';
export { machineReport } from './probe.js';
export { wasmThreadsWanted } from './wasm-threads.js';
export { releaseWebgpu as releaseEngine } from './webgpu.js';
