// A browser-ready copy of a generator: the tfjs LayersModel (model.json + weights.bin, which
// tf.loadLayersModel fetches over HTTP), generator.json describing its inputs and outputs,
// the tfjs browser bundle from node_modules (so the page works offline), and index.html.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { saveModel } from '../checkpoint/model-io.js';
import { withPlainDense } from '../ssgan/weight-norm.js';
import type { CheckpointRef } from '../checkpoint/run-dir.js';
import { CATALOG, type DatasetName } from '../data/catalog.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { describeGenerator, type GeneratorInfo } from '../sampling.js';
import { exportPage } from './page.js';

export const TFJS_BUNDLE = 'tf.min.js';

/** generator.json: what a page or another program needs to drive the model. */
export interface ExportedGeneratorInfo extends GeneratorInfo {
  /** How a conditional model takes its class: a one-hot float vector of width `classes`. */
  classInput?: 'one-hot';
  /** Pixel values the model outputs (tanh). */
  valueRange: [number, number];
  /** Label names by class id, when the dataset is known. */
  classNames?: string[];
  weights: 'ema' | 'raw';
  source: string;
  epoch: number;
  tfjsVersion: string;
}

/** Path of the installed @tensorflow/tfjs browser bundle, and its version. */
export function tfjsBundle(): { path: string; version: string } {
  const require = createRequire(import.meta.url);
  const version = (require('@tensorflow/tfjs/package.json') as { version: string }).version;
  return { path: require.resolve(`@tensorflow/tfjs/dist/${TFJS_BUNDLE}`), version };
}

function classNamesOf(ref: CheckpointRef, classes: number): string[] | undefined {
  const dataset = (ref.state.config as { data?: { dataset?: string } }).data?.dataset;
  const names = dataset && dataset in CATALOG ? CATALOG[dataset as DatasetName].classes : undefined;
  return classes > 0 && names?.length === classes ? [...names] : undefined;
}

/** Writes `generator` (from checkpoint `ref`, with `weights` "ema" or "raw") as a browser-ready folder. */
export async function exportForBrowser(
  generator: tf.LayersModel,
  weights: 'ema' | 'raw',
  ref: CheckpointRef,
  outDir: string,
): Promise<ExportedGeneratorInfo> {
  mkdirSync(outDir, { recursive: true });
  // Weight-normalised layers (the semi-supervised G) become plain dense ones: the browser's tfjs
  // does not know our layer class.
  const portable = withPlainDense(generator);
  await saveModel(portable, outDir);
  if (portable !== generator) portable.dispose();
  const bundle = tfjsBundle();
  const described = describeGenerator(generator);
  const info: ExportedGeneratorInfo = {
    ...described,
    ...(described.conditional ? { classInput: 'one-hot' as const } : {}),
    valueRange: [-1, 1],
    classNames: classNamesOf(ref, described.classes),
    weights,
    source: ref.dir.split(/[\\/]/).slice(-2).join('/'),
    epoch: ref.state.epoch,
    tfjsVersion: bundle.version,
  };
  writeFileAtomic(join(outDir, 'generator.json'), `${JSON.stringify(info, null, 2)}\n`);
  copyFileSync(bundle.path, join(outDir, TFJS_BUNDLE));
  // Opened from disk, the page says how to serve it: by this folder's full path, from anywhere.
  const serveCommand = `gan serve ${shellQuoted(resolve(outDir))}`;
  writeFileAtomic(join(outDir, 'index.html'), exportPage({ title: `gan generator: ${info.source}`, serveCommand }));
  return info;
}

/** `text` as one shell word. */
function shellQuoted(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}
