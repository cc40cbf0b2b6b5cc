// gifenc ships no type declarations; this covers the part of its API we use.
declare module 'gifenc' {
  export interface GifFrameOptions {
    palette?: number[][];
    /** Milliseconds this frame stays on screen. */
    delay?: number;
    /** 0 = loop forever, -1 = play once. */
    repeat?: number;
  }
  export interface GifEncoder {
    writeFrame(index: Uint8Array, width: number, height: number, opts?: GifFrameOptions): void;
    finish(): void;
    bytes(): Uint8Array;
  }
  export type GifEncoderFactory = (opts?: { initialCapacity?: number; auto?: boolean }) => GifEncoder;
  export const GIFEncoder: GifEncoderFactory | undefined;
  const gifenc: { GIFEncoder: GifEncoderFactory } | GifEncoderFactory;
  export default gifenc;
}
