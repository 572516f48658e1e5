/**
 * P2, outside the Dockerfile: once no Dockerfile declares `ARG ARCH`, the Makefile and the
 * workflows stop passing `--build-arg ARCH=...` (`build-args: ARCH=...` in docker/build-push-action).
 * A stale build-arg is harmless to BuildKit but tells the next reader that ARCH still matters.
 * Other uses of ARCH in those files (image tags, matrix names) are left alone.
 */
import { parseDocument } from 'yaml';
import { SourceText } from '../../src/dockerfile/source.ts';
import { deleteLines, replace, type Edit } from '../../src/edits/edit.ts';
import type { BuildFile, BuildFileRecipe } from '../../src/migrate/recipe.ts';

export type { BuildFile, BuildFileRecipe };

const why = (name: string) => `the Dockerfile no longer declares ARG ${name} (BuildKit sets ${name === 'GOOS' ? 'TARGETOS' : 'TARGETARCH'} per platform, xx-go the Go target): stop passing the ${name} build-arg`;
/**
 * `--build-arg NAME=...`, `--build-arg=NAME=...`, quoted or not, for one of `names`. A value is
 * read as the shell and make read it (`$(shell go env GOARCH)`, a backquoted command, `${ARCH:-x}`
 * are one word with blanks inside) and ends at a command separator: cutting it short at a blank or
 * eating the `;` after it would leave a broken command behind.
 */
const VALUE = `(?:\\$\\{\\{[^}]*\\}\\}|\\$\\((?:[^()]|\\([^()]*\\))*\\)|\\$\\{[^}]*\\}|\\\`[^\\\`]*\\\`|"[^"]*"|'[^']*'|[^ \\t"'\\\\;&|()\\\`])*`;
const flagRe = (names: string[]) => new RegExp(`(^|[ \\t])--build-arg(?:=|[ \\t]+)["']?(${names.join('|')})(?:=${VALUE})?["']?(?=[ \\t;&|)]|\\\\|$)`, 'g');

export const buildArgsArch: BuildFileRecipe = {
  id: 'build-args-arch',
  title: 'Drop the ARCH (GOARCH, GOOS) build-arg from the Makefile and workflows',
  followsLostArgs: ['ARCH', 'GOARCH', 'GOOS'],
  apply(file, lost) {
    const src = new SourceText(file.path, file.text);
    const edits: Edit[] = [];
    const names = lost.filter((n) => /^[A-Z_]+$/.test(n));
    if (names.length === 0) return [];
    const FLAG = flagRe(names);
    const assign = new RegExp(`^\\s*(${names.join('|')})=`);
    const inline = new RegExp(`^\\s*build-args:\\s*["']?(${names.join('|')})=(?:\\$\\{\\{[^}]*\\}\\}|[^\\s"'])*["']?\\s*$`);
    for (let line = 1; line <= src.lineCount; line++) {
      const text = src.lineText(line);
      if (!names.some((n) => text.includes(n))) continue;
      const flags = [...text.matchAll(FLAG)];
      if (flags.length > 0) {
        const WHY = why(flags[0]![2]!);
        const rest = text.replace(FLAG, '').trim();
        if (rest === '' || rest === '\\') {
          edits.push(deleteLines(src, line, line, WHY));
          // The last line of a continued command: the line before must stop continuing.
          const prev = line > 1 ? src.lineText(line - 1) : '';
          if (rest === '' && /\\\s*$/.test(prev)) {
            const m = /[ \t]*\\\s*$/.exec(prev)!;
            const at = src.lineStart(line - 1) + m.index;
            edits.push(replace(at, at + m[0].length, '', WHY));
          }
          continue;
        }
        const start = src.lineStart(line);
        for (const m of flags) {
          let from = start + m.index!;
          let to = from + m[0].length;
          // First on its line: keep the line's indentation, take the blank after the flag instead.
          if (/^[ \t]*$/.test(text.slice(0, m.index! + m[1]!.length))) {
            from += m[1]!.length;
            while (/[ \t]/.test(file.text[to] ?? '')) to++;
          }
          edits.push(replace(from, to, '', WHY));
        }
        continue;
      }
      if (file.kind !== 'workflow') continue;
      // build-args: | block of docker/build-push-action, one NAME=value per line.
      const block = buildArgsBlock(src, line);
      const named = assign.exec(text)?.[1] ?? inline.exec(text)?.[1];
      const WHY = why(named ?? names[0]!);
      if (block && named && assign.test(text)) {
        const others = block.lines.filter((l) => l !== line && src.lineText(l).trim() !== '');
        if (others.length === 0) edits.push(deleteLines(src, block.header, line, WHY));
        else edits.push(deleteLines(src, line, line, WHY));
        continue;
      }
      if (inline.test(text)) edits.push(deleteLines(src, line, line, WHY));
    }
    if (edits.length > 0 && file.kind === 'workflow') {
      // The edit must leave a workflow that still parses.
      const sorted = [...edits].sort((a, b) => b.start - a.start);
      let out = file.text;
      for (const e of sorted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
      if (parseDocument(out).errors.length > 0) return [];
    }
    return edits;
  },
};

function buildArgsBlock(src: SourceText, line: number): { header: number; lines: number[] } | undefined {
  const indent = (l: number) => /^\s*/.exec(src.lineText(l))![0].length;
  const own = indent(line);
  for (let l = line - 1; l >= 1; l--) {
    const t = src.lineText(l);
    if (t.trim() === '') continue;
    if (indent(l) < own) {
      if (!/^\s*build-args:\s*[|>][-+]?\s*$/.test(t)) return undefined;
      const lines: number[] = [];
      for (let k = l + 1; k <= src.lineCount; k++) {
        const tk = src.lineText(k);
        if (tk.trim() !== '' && indent(k) <= indent(l)) break;
        lines.push(k);
      }
      return { header: l, lines };
    }
  }
  return undefined;
}
