import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * One JSON object per line on stdout. `process` names the process in every line (`api`,
 * `worker`, `web`): `npm start` and `serve` set SIGHTLINE_PROCESS for each child, so a log
 * shipper reading all three interleaved can tell them apart without a text prefix.
 */
export function createLogger(name: string, level = 'info', processName: string = name): Logger {
  return pino({ name, level, base: { service: name, process: processName } });
}
