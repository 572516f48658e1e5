/**
 * An input problem a human must fix: names the file, the line and what to do. It lives with the
 * file readers (the lowest floor) because reading a file is where most of them are found; the
 * Dockerfile room knows it as DockerfileError.
 */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly problem: string,
    readonly hint: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${problem}${hint ? ` (${hint})` : ''}`);
    this.name = 'DockerfileError';
  }
}
