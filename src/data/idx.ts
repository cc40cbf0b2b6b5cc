// The IDX file format of MNIST-like datasets: a 4-byte magic (0x00 0x00 <type> <ndim>), ndim
// big-endian uint32 dimension sizes, then the elements in row-major order. Only unsigned-byte
// images (ndim 3) and labels (ndim 1) are supported — that is all MNIST and Fashion-MNIST use.
// Files may be gzipped or raw; gzip is detected by its magic bytes, not the file name, so a
// decompressed copy keeps working under either name.
import { readFile } from 'node:fs/promises';
import { gunzip, gzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { UserError } from '../errors.js';

const gunzipAsync = promisify(gunzip);

const UNSIGNED_BYTE = 0x08;
const IMAGES_NDIM = 3;
const LABELS_NDIM = 1;

/** Images as stored: `count` images of height×width bytes each, row-major. */
export interface IdxImages {
  kind: 'images';
  count: number;
  height: number;
  width: number;
  pixels: Uint8Array;
}

/** One label byte per image. */
export interface IdxLabels {
  kind: 'labels';
  count: number;
  labels: Uint8Array;
}

export type IdxData = IdxImages | IdxLabels;

/** A matched images + labels pair, as `readIdxPair` returns it. */
export interface IdxPair {
  images: IdxImages;
  labels: IdxLabels;
}

const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

const count = (n: number) => n.toLocaleString('en-US');
const hex = (n: number, width: number) => `0x${n.toString(16).padStart(width, '0')}`;

/** True when the bytes start with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Gunzips when the bytes are gzip; zlib's terse errors become one-line UserErrors naming `file`. */
export async function maybeGunzip(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  try {
    return await gunzipAsync(bytes);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(e.message)) {
      throw new UserError(
        `${file}: gzip data is truncated (unexpected end of file); the file is incomplete — ` +
          `delete it and fetch it again`,
      );
    }
    throw new UserError(`${file}: gzip data is corrupt (${e.message}); delete it and fetch it again`);
  }
}

/**
 * Parses decompressed IDX bytes. `expect` (when given) is the kind the caller needs, so a labels
 * file passed as images is reported as such. Every problem is a UserError naming `file`.
 */
export function parseIdx(bytes: Uint8Array, file: string, expect: 'images'): IdxImages;
export function parseIdx(bytes: Uint8Array, file: string, expect: 'labels'): IdxLabels;
export function parseIdx(bytes: Uint8Array, file: string, expect?: IdxData['kind']): IdxData;
export function parseIdx(bytes: Uint8Array, file: string, expect?: IdxData['kind']): IdxData {
  if (bytes.length < 4) {
    throw new UserError(`${file}: too short for an IDX file (${bytes.length} bytes; the header alone is at least 8)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new UserError(
      `${file}: not an IDX file (magic number ${hex(magic, 8)}; expected 0x00000803 for images ` +
        `or 0x00000801 for labels)`,
    );
  }
  const type = bytes[2]!;
  if (type !== UNSIGNED_BYTE) {
    const name = TYPE_NAMES[type] ?? 'unknown type';
    throw new UserError(
      `${file}: IDX element type ${hex(type, 2)} (${name}) is not supported; expected ` +
        `${hex(UNSIGNED_BYTE, 2)} (unsigned byte)`,
    );
  }
  const ndim = bytes[3]!;
  if (ndim !== IMAGES_NDIM && ndim !== LABELS_NDIM) {
    throw new UserError(`${file}: IDX file has ${ndim} dimensions; expected 3 (images) or 1 (labels)`);
  }
  const kind = ndim === IMAGES_NDIM ? 'images' : 'labels';
  if (expect !== undefined && kind !== expect) {
    throw new UserError(`${file}: is an IDX ${kind} file (magic ${hex(magic, 8)}) but ${expect} were expected here`);
  }
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) {
    throw new UserError(
      `${file}: truncated IDX header (${bytes.length} bytes; ${headerBytes} expected for ${ndim} ` + `dimension(s))`,
    );
  }
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(view.getUint32(4 + 4 * i));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerBytes;
  if (actual !== expected) {
    const shape = dims.map(count).join('×');
    const problem =
      actual < expected
        ? `truncated: the header declares ${shape} = ${count(expected)} bytes of data but only ${count(actual)} follow`
        : `${count(actual - expected)} trailing byte(s) after the ${count(expected)} bytes of data the header ` +
          `declares (${shape})`;
    throw new UserError(`${file}: ${problem}`);
  }
  const data = bytes.subarray(headerBytes);
  if (kind === 'images') {
    return { kind, count: dims[0]!, height: dims[1]!, width: dims[2]!, pixels: data };
  }
  return { kind, count: dims[0]!, labels: data };
}

/** Reads one IDX file (gzipped or raw). A missing or unreadable file is a UserError naming it. */
export async function readIdxFile(path: string, expect: 'images'): Promise<IdxImages>;
export async function readIdxFile(path: string, expect: 'labels'): Promise<IdxLabels>;
export async function readIdxFile(path: string, expect?: IdxData['kind']): Promise<IdxData>;
export async function readIdxFile(path: string, expect?: IdxData['kind']): Promise<IdxData> {
  let raw: Uint8Array;
  try {
    raw = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT' ? `${path}: file not found` : `${path}: cannot read ` + `(${code ?? (err as Error).message})`,
    );
  }
  return parseIdx(await maybeGunzip(raw, path), path, expect);
}

/** Reads an images file and its labels file and checks that they describe the same images. */
export async function readIdxPair(imagesPath: string, labelsPath: string): Promise<IdxPair> {
  const [images, labels] = await Promise.all([readIdxFile(imagesPath, 'images'), readIdxFile(labelsPath, 'labels')]);
  if (images.count !== labels.count) {
    throw new UserError(
      `${labelsPath}: holds ${count(labels.count)} labels but ${imagesPath} holds ${count(images.count)} images; ` +
        `the two files must come from the same split`,
    );
  }
  return { images, labels };
}

/** Encodes images or labels as IDX bytes (gzipped when asked): the inverse of parseIdx. */
export function encodeIdx(data: IdxData, options: { gzip?: boolean } = {}): Buffer {
  const dims = data.kind === 'images' ? [data.count, data.height, data.width] : [data.count];
  const body = data.kind === 'images' ? data.pixels : data.labels;
  const expected = dims.reduce((a, b) => a * b, 1);
  if (body.length !== expected) {
    throw new Error(`encodeIdx: ${data.kind} shape ${dims.join('×')} needs ${expected} bytes, got ${body.length}`);
  }
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = UNSIGNED_BYTE;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  const bytes = Buffer.concat([header, body]);
  return options.gzip ? gzipSync(bytes) : bytes;
}
