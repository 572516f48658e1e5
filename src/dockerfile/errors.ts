/** An input problem a human must fix: names the file, the line and what to do. */
export class DockerfileError extends Error {
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
