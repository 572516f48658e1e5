/**
 * Just enough of CommonMark's inline code spans to check what untrusted values can do in a
 * rendered body: where each span starts and ends (a backtick run is closed only by a run of the
 * same length; a backslash escapes a backtick outside code), and the text left outside them.
 */
export interface Span {
  /** The span's content as CommonMark reads it (one space stripped from each side when both have one). */
  content: string;
  start: number;
  end: number;
}

export function codeSpans(line: string): Span[] {
  const spans: Span[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === '\\') {
      i += 2;
      continue;
    }
    if (line[i] !== '`') {
      i++;
      continue;
    }
    let n = 0;
    while (line[i + n] === '`') n++;
    let j = i + n;
    let close = -1;
    while (j < line.length) {
      if (line[j] !== '`') {
        j++;
        continue;
      }
      let m = 0;
      while (line[j + m] === '`') m++;
      if (m === n) {
        close = j;
        break;
      }
      j += m;
    }
    if (close < 0) {
      i += n;
      continue;
    }
    let content = line.slice(i + n, close);
    if (content.length > 1 && content.startsWith(' ') && content.endsWith(' ') && content.trim()) content = content.slice(1, -1);
    spans.push({ content, start: i, end: close + n });
    i = close + n;
  }
  return spans;
}

/** The Markdown with every inline code span and fenced block removed: what renders as Markdown and HTML. */
export function outsideCode(markdown: string): string {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const f = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (f && f[0] === fence[0] && f.length >= fence.length && !line.slice(line.indexOf(f) + f.length).trim()) fence = undefined;
      continue;
    }
    if (f) {
      fence = f;
      continue;
    }
    let rest = '';
    let at = 0;
    for (const s of codeSpans(line)) {
      rest += line.slice(at, s.start);
      at = s.end;
    }
    out.push(rest + line.slice(at));
  }
  return out.join('\n');
}
