// A small GIF reader for tests: walks the block structure and LZW-decodes every frame, so a
// test can compare decoded pixels with what was encoded.
export interface GifFrame {
  width: number;
  height: number;
  delayMs: number;
  /** Palette indices, one per pixel. */
  indices: Uint8Array;
}

export interface DecodedGif {
  width: number;
  height: number;
  palette: number[][];
  loops: boolean;
  frames: GifFrame[];
}

function readSubBlocks(bytes: Uint8Array, pos: number): { data: number[]; next: number } {
  const data: number[] = [];
  while (bytes[pos] !== 0) {
    const size = bytes[pos]!;
    for (let i = 1; i <= size; i++) data.push(bytes[pos + i]!);
    pos += size + 1;
  }
  return { data, next: pos + 1 };
}

function lzwDecode(minCodeSize: number, data: number[], pixels: number): Uint8Array {
  const out = new Uint8Array(pixels);
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  let dict: number[][] = [];
  let codeSize = minCodeSize + 1;
  const reset = () => {
    dict = Array.from({ length: clear + 2 }, (_, i) => [i]);
    codeSize = minCodeSize + 1;
  };
  reset();
  let bitPos = 0;
  let written = 0;
  let previous: number[] | undefined;
  while (bitPos + codeSize <= data.length * 8) {
    let code = 0;
    for (let b = 0; b < codeSize; b++, bitPos++) code |= ((data[bitPos >> 3]! >> (bitPos & 7)) & 1) << b;
    if (code === clear) {
      reset();
      previous = undefined;
      continue;
    }
    if (code === end) break;
    const entry = code < dict.length ? dict[code]! : [...previous!, previous![0]!];
    for (const v of entry) out[written++] = v;
    if (previous) dict.push([...previous, entry[0]!]);
    previous = entry;
    if (dict.length === 1 << codeSize && codeSize < 12) codeSize++;
  }
  if (written !== pixels) throw new Error(`LZW: decoded ${written} pixels, expected ${pixels}`);
  return out;
}

export function decodeGif(bytes: Uint8Array): DecodedGif {
  const text = (a: number, b: number) => String.fromCharCode(...bytes.subarray(a, b));
  if (text(0, 6) !== 'GIF89a') throw new Error(`not a GIF89a file: ${text(0, 6)}`);
  const u16 = (p: number) => bytes[p]! | (bytes[p + 1]! << 8);
  const width = u16(6);
  const height = u16(8);
  const packed = bytes[10]!;
  let pos = 13;
  const palette: number[][] = [];
  if (packed & 0x80) {
    const size = 2 << (packed & 7);
    for (let i = 0; i < size; i++)
      palette.push([bytes[pos + i * 3]!, bytes[pos + i * 3 + 1]!, bytes[pos + i * 3 + 2]!]);
    pos += size * 3;
  }
  const frames: GifFrame[] = [];
  let loops = false;
  let delayMs = 0;
  for (;;) {
    const block = bytes[pos];
    if (block === 0x3b) break;
    if (block === 0x21) {
      const label = bytes[pos + 1];
      if (label === 0xf9) delayMs = u16(pos + 4) * 10;
      if (label === 0xff && text(pos + 3, pos + 14) === 'NETSCAPE2.0') loops = true;
      pos = readSubBlocks(bytes, pos + 2).next;
    } else if (block === 0x2c) {
      const w = u16(pos + 5);
      const h = u16(pos + 7);
      const local = bytes[pos + 9]!;
      pos += 10;
      if (local & 0x80) pos += (2 << (local & 7)) * 3;
      const minCodeSize = bytes[pos]!;
      const { data, next } = readSubBlocks(bytes, pos + 1);
      frames.push({ width: w, height: h, delayMs, indices: lzwDecode(minCodeSize, data, w * h) });
      pos = next;
    } else {
      throw new Error(`unexpected GIF block 0x${block?.toString(16)} at ${pos}`);
    }
  }
  return { width, height, palette, loops, frames };
}
