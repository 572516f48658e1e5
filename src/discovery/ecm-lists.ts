/**
 * Readers for the two forms of the image-build repository list kept in rancher/ecm-distro-tools
 * (docs/architecture.md, "The repository list"): a Markdown page and a shell script. Both return raw entries; the
 * caller validates names, so one odd line is reported instead of sinking the whole list.
 */

export interface ListEntry {
  /** The text as found (owner/name when the file is well-formed). */
  value: string;
  /** 1-based line in the list file. */
  line: number;
}

export class ListFormatError extends Error {
  constructor(readonly file: string, readonly line: number | undefined, problem: string) {
    super(`${file}${line ? `:${line}` : ''}: ${problem}`);
    this.name = 'ListFormatError';
  }
}

/**
 * `docs/rke2-dependencies.md`: bullets of one `##` section. A bullet may be plain (`- owner/name`),
 * code (`` - `owner/name` ``) or a link (`- [owner/name](https://github.com/owner/name)`).
 */
export function parseDependenciesMarkdown(text: string, section: string, file = 'rke2-dependencies.md'): ListEntry[] {
  const lines = text.split(/\r?\n/);
  const wanted = normaliseHeading(section);
  const seen: string[] = [];
  let inSection = false;
  let found = false;
  let inFence = false;
  const entries: ListEntry[] = [];
  lines.forEach((raw, i) => {
    if (/^\s*(```|~~~)/.test(raw)) inFence = !inFence;
    if (inFence) return;
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(raw);
    if (heading) {
      if (heading[1]!.length <= 2) {
        const title = normaliseHeading(heading[2]!);
        if (heading[1]!.length === 2) seen.push(heading[2]!);
        inSection = heading[1]!.length === 2 && title === wanted;
        found ||= inSection;
      }
      return;
    }
    if (!inSection) return;
    const bullet = /^\s*[-*+]\s+(?:\[[ xX]\]\s+)?(.*?)\s*$/.exec(raw);
    if (!bullet || !bullet[1]) return;
    entries.push({ value: bulletTarget(bullet[1]), line: i + 1 });
  });
  if (!found) {
    throw new ListFormatError(file, undefined, `no "## ${section}" section (sections found: ${seen.length ? seen.join(', ') : 'none'}); set source.list.section in repos.yaml`);
  }
  return entries;
}

function normaliseHeading(s: string): string {
  return s.trim().replace(/\s+/g, ' ').toLowerCase();
}

function bulletTarget(text: string): string {
  const link = /^\[([^\]]*)\]\(([^)\s]*)[^)]*\)/.exec(text);
  if (link) {
    const fromUrl = /github\.com\/([^/\s]+\/[^/\s#?]+?)(?:\.git)?\/?(?:[#?].*)?$/.exec(link[2]!);
    return fromUrl ? fromUrl[1]! : link[1]!.replace(/`/g, '').trim();
  }
  const code = /^`([^`]*)`/.exec(text);
  if (code) return code[1]!.trim();
  return text.split(/\s+/)[0]!;
}

/**
 * `bin/clone_image_build_repos.sh`: the words of the `REPOS` variable, as the script's own
 * `for repo in $REPOS` would split them. Assignments are read in order (`=` resets, `+=` appends);
 * quoted strings, single quotes and bash arrays are understood. A value with an expansion
 * (`$VAR`, `$(cmd)`) cannot be known without running the script, so it is an error, not a guess.
 */
export function parseCloneScript(text: string, variable = 'REPOS', file = 'clone_image_build_repos.sh'): ListEntry[] {
  let entries: ListEntry[] | undefined;
  const assign = new RegExp(`^[ \\t]*(?:export[ \\t]+|readonly[ \\t]+|local[ \\t]+|declare(?:[ \\t]+-[a-zA-Z]+)*[ \\t]+)?${variable}(\\+?=)`, 'gm');
  for (let m = assign.exec(text); m; m = assign.exec(text)) {
    if (lineStartIsComment(text, m.index)) continue;
    const valueStart = m.index + m[0].length;
    const { words, end } = readValue(text, valueStart, file);
    entries = m[1] === '+=' ? [...(entries ?? []), ...words] : words;
    assign.lastIndex = Math.max(end, valueStart);
  }
  if (!entries) throw new ListFormatError(file, undefined, `no ${variable}="..." assignment found; check source.list.path/format in repos.yaml`);
  return entries;
}

function lineStartIsComment(text: string, at: number): boolean {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  return /^\s*#/.test(text.slice(lineStart, at + 1));
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function readValue(text: string, start: number, file: string): { words: ListEntry[]; end: number } {
  const words: ListEntry[] = [];
  let i = start;
  let word = '';
  let wordStart = -1;
  const flush = () => {
    if (word) words.push({ value: word, line: lineAt(text, wordStart) });
    word = '';
    wordStart = -1;
  };
  const push = (ch: string, at: number) => {
    if (wordStart < 0) wordStart = at;
    word += ch;
  };
  const array = text[i] === '(';
  if (array) i++;
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) {
        const c = text[i]!;
        if (c === '\\' && i + 1 < text.length) {
          i++;
          if (text[i] !== '\n') push(text[i]!, i);
        } else if (c === '$' || c === '`') {
          throw new ListFormatError(file, lineAt(text, i), 'the list uses a shell expansion; it must be literal owner/name words');
        } else if (/\s/.test(c)) flush();
        else push(c, i);
      }
      if (i >= text.length) throw new ListFormatError(file, lineAt(text, start), 'unterminated double-quoted string');
      continue;
    }
    if (ch === "'") {
      for (i++; i < text.length && text[i] !== "'"; i++) {
        if (/\s/.test(text[i]!)) flush();
        else push(text[i]!, i);
      }
      if (i >= text.length) throw new ListFormatError(file, lineAt(text, start), 'unterminated single-quoted string');
      continue;
    }
    if (array) {
      if (ch === ')') {
        flush();
        return { words, end: i + 1 };
      }
      if (ch === '#' && wordStart < 0) {
        while (i < text.length && text[i] !== '\n') i++;
        continue;
      }
      if (/\s/.test(ch)) {
        flush();
        continue;
      }
    } else if (/[\s;&|]/.test(ch)) {
      break;
    }
    if (ch === '$' || ch === '`') throw new ListFormatError(file, lineAt(text, i), 'the list uses a shell expansion; it must be literal owner/name words');
    push(ch, i);
  }
  if (array) throw new ListFormatError(file, lineAt(text, start), 'unterminated array');
  flush();
  return { words, end: i };
}
