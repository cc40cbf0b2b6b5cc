// What the downloadable datasets are: file names, the hashes that identify the published files,
// the public mirrors that serve them, and the class names. MNIST is identified by the MD5 sums
// torchvision and others document; Fashion-MNIST by the SHA-256 sums of its published files.
import type { DataConfig } from '../config.js';

export type DatasetName = DataConfig['dataset'];
export type Split = 'train' | 'test';
export type HashAlgorithm = 'md5' | 'sha256';

/** The expected digest of one file. */
export interface FileHash {
  algorithm: HashAlgorithm;
  hex: string;
}

/** Expected digests by file name: what the downloader verifies against. */
export type HashTable = Readonly<Record<string, FileHash>>;

export interface SplitFiles {
  images: string;
  labels: string;
}

export interface DatasetSpec {
  name: DatasetName;
  /** Human name for messages, e.g. "Fashion-MNIST". */
  title: string;
  files: Readonly<Record<Split, SplitFiles>>;
  hashes: HashTable;
  /** Base URLs, tried in order; each serves every file under its plain name. */
  mirrors: readonly string[];
  /** Class names indexed by label. */
  classes: readonly string[];
}

/** Both datasets use the original MNIST file names. */
const STANDARD_FILES: Readonly<Record<Split, SplitFiles>> = {
  train: { images: 'train-images-idx3-ubyte.gz', labels: 'train-labels-idx1-ubyte.gz' },
  test: { images: 't10k-images-idx3-ubyte.gz', labels: 't10k-labels-idx1-ubyte.gz' },
};

const md5 = (hex: string): FileHash => ({ algorithm: 'md5', hex });
const sha256 = (hex: string): FileHash => ({ algorithm: 'sha256', hex });

export const CATALOG: Readonly<Record<DatasetName, DatasetSpec>> = {
  mnist: {
    name: 'mnist',
    title: 'MNIST',
    files: STANDARD_FILES,
    hashes: {
      'train-images-idx3-ubyte.gz': md5('f68b3c2dcbeaaa9fbdd348bbdeb94873'),
      'train-labels-idx1-ubyte.gz': md5('d53e105ee54ea40749a09fcbcd1e9432'),
      't10k-images-idx3-ubyte.gz': md5('9fb629c4189551a2d022fa330f9573f3'),
      't10k-labels-idx1-ubyte.gz': md5('ec29112dd5afa0611ce80d1b7f02629c'),
    },
    mirrors: [
      'https://ossci-datasets.s3.amazonaws.com/mnist/',
      'https://storage.googleapis.com/cvdf-datasets/mnist/',
      'http://yann.lecun.com/exdb/mnist/',
    ],
    classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  },
  'fashion-mnist': {
    name: 'fashion-mnist',
    title: 'Fashion-MNIST',
    files: STANDARD_FILES,
    hashes: {
      'train-images-idx3-ubyte.gz': sha256('b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7'),
      'train-labels-idx1-ubyte.gz': sha256('0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056'),
      't10k-images-idx3-ubyte.gz': sha256('cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa'),
      't10k-labels-idx1-ubyte.gz': sha256('8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05'),
    },
    mirrors: [
      'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
      'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/',
    ],
    classes: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
  },
};

/** The two files (images, labels) of one split, in that order. */
export function splitFileNames(dataset: DatasetName, split: Split): [images: string, labels: string] {
  const files = CATALOG[dataset].files[split];
  return [files.images, files.labels];
}

/** A decoded split: what every data source returns. */
export interface ImageSet {
  /** count × height × width × channels bytes, row-major with channels last, 0 = background. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
  /** 1 (greyscale) or 3 (RGB). */
  channels: number;
  /** Class names indexed by label (empty for an unlabelled folder). */
  classes: string[];
  /** Where the images came from, for logs and run metadata. */
  origin: string;
}

/** Bytes of one image of a set. */
export function imageBytes(shape: Pick<ImageSet, 'height' | 'width' | 'channels'>): number {
  return shape.height * shape.width * shape.channels;
}
