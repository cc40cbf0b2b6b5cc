// Byte-count progress for downloads: a cli-progress bar per file when the stream is a terminal.
// Elsewhere (logs, CI, tests) there is no bar and the downloader logs one plain line per file.
import cliProgress from 'cli-progress';

/** What the downloader reports while one file transfers. */
export interface TransferProgress {
  /** A transfer starts; `totalBytes` is undefined when the server sent no Content-Length. */
  begin(file: string, totalBytes: number | undefined): void;
  advance(bytes: number): void;
  /** The transfer ended, successfully or not. */
  end(): void;
}

const MB = 1024 * 1024;
const mb = (bytes: number) => (bytes / MB).toFixed(1);

/** A progress bar on `stream` if it is a TTY; undefined otherwise. */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): TransferProgress | undefined {
  if (!stream.isTTY) return undefined;
  let bar: cliProgress.SingleBar | undefined;
  let received = 0;
  let total: number | undefined;
  return {
    begin(file, totalBytes) {
      received = 0;
      total = totalBytes;
      // Without a Content-Length a bar would lie, so only the byte count is shown.
      const format = total === undefined ? '{file} {done} MB' : '{file} [{bar}] {percentage}% {done}/{size} MB';
      bar = new cliProgress.SingleBar({ stream, format, hideCursor: true, barsize: 30 }, cliProgress.Presets.shades_classic);
      bar.start(total ?? 0, 0, { file, done: mb(0), size: mb(total ?? 0) });
    },
    advance(bytes) {
      received += bytes;
      bar?.update(total === undefined ? 0 : received, { done: mb(received) });
    },
    end() {
      bar?.stop();
      bar = undefined;
    },
  };
}
