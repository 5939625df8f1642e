/** CLI output: one JSON object with --json, readable lines otherwise. */
export interface Output {
  json: boolean;
  result(value: Record<string, unknown>, lines: string[]): void;
  progress(line: string): void;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    result(value, lines) {
      process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${lines.join('\n')}\n`);
    },
    progress(line) {
      // Progress goes to stderr so --json output stays one parseable object.
      process.stderr.write(`${line}\n`);
    },
  };
}
