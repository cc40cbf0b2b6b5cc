// data.source folder: your own PNG/JPEG images. A folder with class sub-folders gives labelled
// images (labels in the sub-folders' sorted order); a flat folder gives unlabelled ones. A
// split is `dir/train` and `dir/test` when they exist, else `dir` itself is the training split.
// A test class folder is labelled as the training class of the same name, so the two splits'
// labels agree; a test class that training lacks is refused. Symbolic links to class folders
// and to images are followed.
// sharp (libvips) decodes, converts to greyscale or RGB and resizes — centre-cropped to the
// square, then scaled — and the result is cached as raw bytes keyed by every file's name, size and
// modification time, so a second run starts at once and an edited folder is converted again.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, type Dirent, type Stats } from 'node:fs';
import { join, relative } from 'node:path';
import sharp from 'sharp';
import { environmentProblem, UserError } from '../errors.js';
import { someNames } from '../text.js';
import { writeFileAtomic } from '../fs-atomic.js';
import type { Log } from '../log.js';
import { imageBytes, type ImageSet, type Split } from './catalog.js';

const IMAGE_FILE = /\.(png|jpe?g)$/i;
/** Decoded at a time: enough to keep libvips's threads busy, few enough to bound memory. */
const CONCURRENCY = 16;
/** Bad files named in the log one by one before the rest are only counted. */
const NAMED_FAILURES = 10;

interface Listing {
  root: string;
  files: { path: string; label: number; size: number; mtimeMs: number }[];
  classes: string[];
  ignored: number;
}

/** The folder of a split: dir/train or dir/test when present; dir itself for train otherwise. */
export function splitFolder(dir: string, split: Split): string {
  const named = join(dir, split === 'train' ? 'train' : 'test');
  if (isDirectory(named)) return named;
  if (!isDirectory(dir)) {
    throw new UserError(`data.dir ${dir}: not a directory (data.source folder reads PNG/JPEG images from it)`);
  }
  if (split === 'train') {
    // dir itself as the training split would make test/ one of its classes.
    if (isDirectory(join(dir, 'test'))) {
      throw new UserError(`data.dir ${dir}: has test/ but no train/; put the training images in ${named}`);
    }
    return dir;
  }
  throw new UserError(
    `data.dir ${dir}: no test/ folder; put test images in ${named} (and training images in ` +
      `${join(dir, 'train')}) for commands that compare against test images`,
  );
}

/** What `path` leads to, following symbolic links; undefined when nothing does (a dangling link). */
function follow(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

const isDirectory = (path: string) => follow(path)?.isDirectory() ?? false;

const byName = (a: Dirent, b: Dirent) => (a.name < b.name ? -1 : 1);

/** The class folders of a split's folder, sorted: its sub-folders (or links to folders) not starting with a dot. */
function classFolders(root: string): string[] {
  return readdirSync(root, { withFileTypes: true })
    .sort(byName)
    .filter((e) => !e.name.startsWith('.') && isDirectory(join(root, e.name)))
    .map((e) => e.name);
}

/**
 * The test split labelled with the training split's classes, so that a label means the same
 * class in both. A test split may lack some training classes (said in a log line); a test class
 * that training lacks, or class folders in one split only, would be scored as something else:
 * refused.
 */
function labelledAsTraining(dir: string, test: Listing, io: Log): Listing {
  const trainRoot = splitFolder(dir, 'train');
  const trainClasses = classFolders(trainRoot);
  const onlyOne = (without: string, withRoot: string, classes: string[]) =>
    new UserError(
      `data.dir ${dir}: ${without} has no class folders, but ${withRoot} has ${classes.length} ` +
        `(${someNames(classes)}); give both the same class folders, or neither`,
    );
  if (trainClasses.length > 0 && test.classes.length === 0) throw onlyOne(test.root, trainRoot, trainClasses);
  if (trainClasses.length === 0 && test.classes.length > 0) throw onlyOne(trainRoot, test.root, test.classes);
  const unknown = test.classes.filter((name) => !trainClasses.includes(name));
  if (unknown.length > 0) {
    throw new UserError(
      `data.dir ${dir}: ${test.root} has class folders that ${trainRoot} lacks: ${someNames(unknown)} (test ` +
        'images are labelled by the training class of the same name)',
    );
  }
  const absent = trainClasses.filter((name) => !test.classes.includes(name));
  if (absent.length > 0) {
    io.log(
      `${test.root}: no test images of ${someNames(absent)}; its ${test.classes.length} class folders are ` +
        `labelled as the training classes of the same name in ${trainRoot}`,
    );
  }
  const files = test.files.map((f) => ({ ...f, label: trainClasses.indexOf(test.classes[f.label]!) }));
  return { ...test, files, classes: trainClasses };
}

/** The images of a split's folder, labelled by their class folder's place among the sorted class folders. */
function listFolder(root: string): Listing {
  const classes = classFolders(root);
  const files: Listing['files'] = [];
  let ignored = 0;
  const add = (folder: string, label: number) => {
    for (const e of readdirSync(folder, { withFileTypes: true }).sort(byName)) {
      const path = join(folder, e.name);
      const target = follow(path);
      // A link to nowhere with an image's name is listed: the decoder fails on it and names it.
      if (target ? !target.isFile() : !e.isSymbolicLink()) continue;
      if (!IMAGE_FILE.test(e.name)) {
        ignored += 1;
        continue;
      }
      files.push({ path, label, size: target?.size ?? -1, mtimeMs: target?.mtimeMs ?? 0 });
    }
  };
  if (classes.length > 0) {
    if (classes.length > 256) throw new UserError(`data.dir ${root}: ${classes.length} class folders; at most 256`);
    classes.forEach((name, label) => add(join(root, name), label));
    // Images beside the class folders would be unlabelled among labelled ones.
    ignored += readdirSync(root).filter((name) => follow(join(root, name))?.isFile()).length;
  } else add(root, 0);
  return { root, files, classes, ignored };
}

/** The converted images' size and channels. */
export interface FolderShape {
  height: number;
  width: number;
  channels: number;
}

function cacheKey(listing: Listing, shape: FolderShape): string {
  const hash = createHash('sha256');
  const { height, width, channels } = shape;
  hash.update(JSON.stringify({ height, width, channels, sharp: sharp.versions.vips, classes: listing.classes }));
  for (const f of listing.files) hash.update(`${relative(listing.root, f.path)}\0${f.size}\0${f.mtimeMs}\n`);
  return hash.digest('hex').slice(0, 16);
}

async function convert(path: string, shape: FolderShape): Promise<Buffer> {
  const flat = sharp(path).flatten({ background: '#000000' });
  const coloured = shape.channels === 1 ? flat.greyscale() : flat.toColourspace('srgb');
  return coloured.resize(shape.width, shape.height, { fit: 'cover' }).raw().toBuffer();
}

interface CacheEntry {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  skipped: number;
}

/**
 * The conversion cached in `cache`, or undefined when there is none. The cache is only a copy:
 * a damaged entry (a torn meta.json, a missing or short file) is said in a warning and
 * converted again.
 */
function readCache(cache: string, pixels: number, root: string, io: Log): CacheEntry | undefined {
  const metaFile = join(cache, 'meta.json');
  if (!existsSync(metaFile)) return undefined;
  try {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Partial<CacheEntry> | null;
    const count = meta?.count;
    if (typeof count !== 'number') throw new Error('no image count');
    const images = new Uint8Array(readFileSync(join(cache, 'images.bin')));
    const labels = new Uint8Array(readFileSync(join(cache, 'labels.bin')));
    if (images.length !== count * pixels || labels.length !== count)
      throw new Error('the cached images are incomplete');
    return { images, labels, count, skipped: meta?.skipped ?? 0 };
  } catch (err) {
    io.warn(`${metaFile}: damaged cache entry (${(err as Error).message}); converting ${root} again`);
    return undefined;
  }
}

let cacheRefused = false;

/**
 * The cache is optional: where the machine refuses to write it (a read-only working directory,
 * a full disk), one warning per process says so and the images are used without it.
 */
function writeCache(cache: string, images: Uint8Array, labels: Uint8Array, meta: object, io: Log): void {
  try {
    writeFileAtomic(join(cache, 'images.bin'), images);
    writeFileAtomic(join(cache, 'labels.bin'), labels);
    // Written last: its presence says the two files above are complete.
    writeFileAtomic(join(cache, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  } catch (err) {
    const env = environmentProblem(err);
    if (!env) throw err;
    if (!cacheRefused)
      io.warn(`${cache}: cannot cache the converted images: ${env.problem}; going on without the cache`);
    cacheRefused = true;
  }
}

/**
 * Loads one split of an image folder at height × width, greyscale or RGB, from the cache when the
 * folder has not changed. Files that fail to decode are skipped and reported (each path up to
 * a limit, then a count); a folder with no readable image is refused.
 */
export async function loadFolder(
  dir: string,
  split: Split,
  shape: FolderShape,
  cacheDir: string,
  io: Log,
): Promise<ImageSet> {
  const root = splitFolder(dir, split);
  const found = listFolder(root);
  if (found.files.length === 0) {
    throw new UserError(
      `data.dir ${root}: no .png/.jpg/.jpeg images (expected class sub-folders of images, or images directly in it)`,
    );
  }
  const listing = split === 'test' ? labelledAsTraining(dir, found, io) : found;
  const { height, width, channels } = shape;
  const classCount = listing.classes.length;
  const kind = classCount === 0 ? 'unlabelled' : classCount === 1 ? '1 class' : `${classCount} classes`;
  const key = cacheKey(listing, shape);
  const cache = join(cacheDir, `folder-${key}`);
  const cached = readCache(cache, imageBytes(shape), root, io);
  if (cached) {
    return {
      ...cached,
      height,
      width,
      channels,
      classes: listing.classes,
      origin:
        `${root} (${split}), ${cached.count} images, ${kind}, cached in ${cache}` +
        (cached.skipped ? ` (${cached.skipped} unreadable files skipped)` : ''),
    };
  }

  const pixels = imageBytes(shape);
  const converted: (Buffer | undefined)[] = new Array(listing.files.length);
  const failures: string[] = [];
  for (let start = 0; start < listing.files.length; start += CONCURRENCY) {
    const chunk = listing.files.slice(start, start + CONCURRENCY);
    const results = await Promise.allSettled(chunk.map((f) => convert(f.path, shape)));
    results.forEach((r, k) => {
      if (r.status === 'fulfilled') converted[start + k] = r.value;
      else failures.push(`${chunk[k]!.path}: ${(r.reason as Error).message}`);
    });
  }
  const kept = listing.files.flatMap((f, i) => (converted[i] ? [{ label: f.label, bytes: converted[i] }] : []));
  if (kept.length === 0) {
    throw new UserError(
      `data.dir ${root}: none of its ${listing.files.length} image files could be decoded (${failures[0]})`,
    );
  }
  failures.slice(0, NAMED_FAILURES).forEach((f) => io.warn(`skipped ${f}`));
  if (failures.length > NAMED_FAILURES) io.warn(`skipped ${failures.length - NAMED_FAILURES} more unreadable files`);
  const images = new Uint8Array(kept.length * pixels);
  const labels = new Uint8Array(kept.length);
  kept.forEach((k, i) => {
    images.set(k.bytes, i * pixels);
    labels[i] = k.label;
  });
  const meta = { root, split, count: kept.length, skipped: failures.length, classes: listing.classes };
  writeCache(cache, images, labels, meta, io);
  const notes = [
    failures.length ? `${failures.length} unreadable skipped` : '',
    listing.ignored ? `${listing.ignored} other files ignored` : '',
  ].filter(Boolean);
  const noted = notes.length ? ` (${notes.join(', ')})` : '';
  const colour = channels === 1 ? 'greyscale' : 'RGB';
  io.log(`converted ${kept.length} images of ${root} to ${width}×${height} ${colour}${noted}`);
  return {
    images,
    labels,
    count: kept.length,
    height,
    width,
    channels,
    classes: listing.classes,
    origin: `${root} (${split}), ${kept.length} images, ${kind}, converted now`,
  };
}
