import { SingleBar, Presets } from 'cli-progress';
import { createLogProgress, type Progress } from '@wms/core';

/**
 * A progress bar on a terminal; one line per 10% elsewhere (CI logs, pipes), so logs stay
 * readable and nothing redraws into a file.
 */
export function createTerminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return createLogProgress((line) => stream.write(`${line}\n`));
  let bar: SingleBar | undefined;
  return {
    start(total, label) {
      bar = new SingleBar(
        {
          format: `${label.padEnd(14)} {bar} {percentage}% | {value}/{total} | {eta_formatted} left {status}`,
          stream,
          hideCursor: true,
          clearOnComplete: false,
        },
        Presets.shades_classic,
      );
      bar.start(total, 0, { status: '' });
    },
    tick(count = 1, status) {
      bar?.increment(count, { status: status ?? '' });
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
