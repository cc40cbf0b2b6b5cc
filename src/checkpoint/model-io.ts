// A tfjs IO handler that saves and loads a LayersModel as a directory holding `model.json` and
// `weights.bin` — the same layout as tfjs-node's `file://` handler, so the artifacts load with
// `tf.loadLayersModel` anywhere. Plain tfjs has no file IO, so we provide it on every engine.
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { writeFileDurable } from '../fs-atomic.js';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

export class CheckpointError extends UserError {}

function joinWeights(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  return new Uint8Array(tf.io.CompositeArrayBuffer.join(data));
}

/** Loads an exact copy of the bytes into a fresh ArrayBuffer (Buffers share a pool). */
function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}

/** Byte size a weights manifest expects, so a truncated weights.bin is caught before decoding. */
function expectedWeightBytes(specs: tf.io.WeightsManifestEntry[]): number {
  const bytesPer: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, float16: 2 };
  return specs.reduce(
    (sum, s) => sum + s.shape.reduce((a, b) => a * b, 1) * (bytesPer[s.quantization?.dtype ?? s.dtype] ?? 4),
    0,
  );
}

export function directoryIO(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('binary model topologies are not supported');
      mkdirSync(dir, { recursive: true });
      const weights = joinWeights(artifacts.weightData);
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      writeFileDurable(join(dir, WEIGHTS_BIN), weights);
      writeFileDurable(join(dir, MODEL_JSON), JSON.stringify(modelJson));
      return {
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength },
      };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonPath = join(dir, MODEL_JSON);
      const binPath = join(dir, WEIGHTS_BIN);
      if (!existsSync(jsonPath)) throw new CheckpointError(`${jsonPath}: missing (not a model directory)`);
      let modelJson: tf.io.ModelJSON;
      try {
        modelJson = JSON.parse(readFileSync(jsonPath, 'utf8')) as tf.io.ModelJSON;
      } catch (err) {
        throw new CheckpointError(`${jsonPath}: corrupted model.json (${(err as Error).message})`);
      }
      if (!modelJson || typeof modelJson.modelTopology !== 'object' || !Array.isArray(modelJson.weightsManifest)) {
        throw new CheckpointError(`${jsonPath}: not a tfjs LayersModel (expected modelTopology and weightsManifest)`);
      }
      const specs = tf.io.getWeightSpecs(modelJson.weightsManifest);
      if (!existsSync(binPath)) throw new CheckpointError(`${binPath}: missing weights file`);
      const bytes = readFileSync(binPath);
      const expected = expectedWeightBytes(specs);
      if (bytes.byteLength !== expected) {
        throw new CheckpointError(
          `${binPath}: ${bytes.byteLength} bytes, but model.json describes ${expected} (truncated or mismatched ` +
            `weights)`,
        );
      }
      return tf.io.getModelArtifactsForJSONSync(modelJson, specs, toArrayBuffer(bytes));
    },
  };
}

/** Saves a model into `dir` (created if missing). */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(directoryIO(dir));
}

/** Loads a model saved by `saveModel` (or tfjs-node's file:// handler). */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  try {
    return await tf.loadLayersModel(directoryIO(dir));
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new CheckpointError(
      `${join(dir, MODEL_JSON)}: cannot be loaded as a model (${(err as Error).message.split('\n')[0]})`,
    );
  }
}
