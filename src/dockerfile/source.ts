/** Dockerfiles above this size are refused: real ones are a few KB, so this is not a Dockerfile. */
export const MAX_DOCKERFILE_BYTES = 1024 * 1024;

/**
 * A text file as the migration sees it: offsets for edits, 1-based lines for humans, and the
 * line-ending convention of the file so that inserted lines match their neighbours.
 */
export class SourceText {
  readonly eol: '\n' | '\r\n';
  private readonly lineStarts: number[];

  constructor(readonly path: string, readonly text: string) {
    // A file that mixes endings gets the majority; CRLF files stay CRLF.
    const crlf = (text.match(/\r\n/g) ?? []).length;
    const lf = (text.match(/\n/g) ?? []).length - crlf;
    this.eol = crlf > lf ? '\r\n' : '\n';
    this.lineStarts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** Offset of a 0-based line/character position (what dockerfile-ast reports). */
  offsetAt(line: number, character: number): number {
    const start = this.lineStarts[Math.min(line, this.lineStarts.length - 1)] ?? 0;
    return Math.min(start + character, this.text.length);
  }

  /** 1-based line number of an offset. */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** Offset where the 1-based line starts (after a byte-order mark: it stays first). */
  lineStart(line: number): number {
    const at = this.lineStarts[Math.max(0, Math.min(line - 1, this.lineStarts.length - 1))]!;
    return at === 0 && this.text.charCodeAt(0) === 0xfeff ? 1 : at;
  }

  /** Offset just after the line's end-of-line characters (start of the next line). */
  lineEndIncludingEol(line: number): number {
    return line < this.lineStarts.length ? this.lineStarts[line]! : this.text.length;
  }

  /** The text of a 1-based line without its line ending. */
  lineText(line: number): string {
    const s = this.lineStart(line);
    let e = this.lineEndIncludingEol(line);
    if (e > s && this.text[e - 1] === '\n') e--;
    if (e > s && this.text[e - 1] === '\r') e--;
    return this.text.slice(s, e);
  }

  /** Leading whitespace of a 1-based line. */
  indentOf(line: number): string {
    return /^[ \t]*/.exec(this.lineText(line))![0];
  }
}
