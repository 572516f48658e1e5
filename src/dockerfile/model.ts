/**
 * The Dockerfile model every recipe and review rule reads: instructions with exact source ranges,
 * stages, the stage graph (parent stages, `COPY --from`, `RUN --mount=...,from=`), the effective
 * platform of each stage, ARG scope, leaf stages, and a shell view of every RUN.
 *
 * Nothing outside this folder parses Dockerfile text.
 */
import { DockerfileParser, type Instruction as AstInstruction } from 'dockerfile-ast';
import { SourceText } from './source.ts';
import { parseShell, ShellCache, type ShellScript } from './shell.ts';
import { scanVarRefs, substitute, type VarRef } from './vars.ts';
import { DockerfileError } from './errors.ts';

export interface Flag {
  name: string;
  value: string;
  /** Range of the whole `--name=value` text. */
  start: number;
  end: number;
}

export interface Instruction {
  /** Upper-case keyword (`RUN`, `FROM`...). */
  keyword: string;
  /** Keyword as written (to keep casing when we add instructions). */
  keywordRaw: string;
  start: number;
  end: number;
  /** 1-based first and last line. */
  line: number;
  endLine: number;
  /** Offset range of the arguments (after flags). */
  argsStart: number;
  argsEnd: number;
  /** Arguments with continuations and embedded comments removed. */
  args: string;
  flags: Flag[];
  /** Variable references in the instruction's arguments (Dockerfile-level substitution). */
  vars: VarRef[];
  /** Shell view of a RUN in shell form (or of its heredoc script). */
  shell?: ShellScript;
  /** The variables of an `ENV`, in order. */
  env?: EnvDecl[];
  /** RUN ["exec", "form"]. */
  execForm?: string[];
  heredoc: boolean;
  stage?: Stage;
  index: number;
}

export interface ArgDecl {
  name: string;
  /** The default, unquoted; undefined for `ARG NAME` (set from outside, if at all). */
  defaultValue?: string;
  /** The default as written (quotes kept), when there is one. */
  rawDefault?: string;
  instruction: Instruction;
  /** Offsets of `NAME[=default]` in the file. */
  start: number;
  end: number;
  /** In a stage: the global ARG of the same name, whose value a bare `ARG NAME` takes. */
  global?: ArgDecl;
}

/**
 * One variable an `ENV` sets: `ENV A=1 B="x y"` gives two, the legacy `ENV NAME value` one (its
 * value is the rest of the instruction). Read once here; nobody re-parses ENV text.
 */
export interface EnvDecl {
  name: string;
  /** The value, unquoted. */
  value: string;
  /** The value as written (quotes kept). */
  rawValue: string;
  instruction: Instruction;
  /** Offsets of `NAME=value` (legacy: `NAME value`) in the file. */
  start: number;
  end: number;
  /** `ENV NAME value`: the only variable of its instruction. */
  legacy: boolean;
}

export type Platform = 'build' | 'target' | 'other';

export interface StageRef {
  /** The stage name or index as written. */
  ref: string;
  stage?: Stage;
  instruction: Instruction;
  kind: 'copy' | 'mount';
}

export interface Stage {
  index: number;
  /** Name as written (`AS name`), if any. */
  name?: string;
  from: Instruction;
  /** Range of the `AS` keyword and of the name. */
  asKeyword?: { text: string; start: number; end: number };
  nameRange?: { start: number; end: number };
  /** Base image (or parent stage name) as written, and its range. */
  image: string;
  imageStart: number;
  imageEnd: number;
  /** Base image with global ARG defaults substituted (best effort). */
  resolvedImage: string;
  platformFlag?: Flag;
  /** The parent stage when `FROM` names an earlier stage. */
  base?: Stage;
  /** Instructions after FROM, up to the next FROM. */
  instructions: Instruction[];
  /** Comment lines directly above the FROM line (1-based line numbers and text). */
  leadingComments: { line: number; text: string }[];
  /** Stages this one copies or mounts from. */
  refs: StageRef[];
  /** Stages that use this one as base, copy from it or mount it. */
  dependents: Stage[];
  /** Effective platform, following the parent chain. */
  platform: Platform;
  /** Nothing else builds on this stage: it is (one of) the image(s) the Dockerfile produces. */
  isLeaf: boolean;
  /** In-stage ARG declarations. */
  args: ArgDecl[];
  /** In-stage ENV settings, in order (a parent's are its own: see `lineage`). */
  env: EnvDecl[];
  /** Offset just after the stage's last line (including its line ending). */
  end: number;
}

export interface DockerfileModel {
  source: SourceText;
  escapeChar: string;
  directives: { name: string; value: string }[];
  instructions: Instruction[];
  globalArgs: ArgDecl[];
  stages: Stage[];
  /** Resolve a `--from`/`FROM` reference (name, case-insensitive, or index) to a stage. */
  stageByRef(ref: string, before?: number): Stage | undefined;
}

export const KNOWN_INSTRUCTIONS = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);

// `$BUILDPLATFORM`, `${BUILDPLATFORM}`, `${BUILDPLATFORM:-linux/amd64}` (BuildKit always sets it).
const BUILD_PLATFORM = /^\$(BUILDPLATFORM|\{BUILDPLATFORM(:?[-+][^}]*)?\})$/;
const TARGET_PLATFORM = /^\$(TARGETPLATFORM|\{TARGETPLATFORM(:?[-+][^}]*)?\})$/;

export function platformOfFlag(value: string | undefined): Platform | undefined {
  if (value === undefined) return undefined;
  if (BUILD_PLATFORM.test(value)) return 'build';
  if (TARGET_PLATFORM.test(value)) return 'target';
  return 'other';
}

/** At most the first 80 characters of input text in a message: a wrong file must not be echoed whole. */
export function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

// dockerfile-ast ends every parse by handing each comment to the build stage containing it, a
// scan of all stages per comment with fresh Range objects for each test: O(comments x stages),
// most of the time of a large file. Nothing here reads those per-stage comment lists (leading
// comments are read from the text in toStage), so the allocation is switched off, once.
const astPrototype = Object.getPrototypeOf(DockerfileParser.parse('FROM scratch\n')) as { organizeComments?: () => void };
if (typeof astPrototype.organizeComments === 'function') astPrototype.organizeComments = () => {};

/** Parse a Dockerfile. Throws DockerfileError (with file and line) when it cannot be understood. */
export function parseDockerfile(text: string, path = 'Dockerfile', shellCache?: ShellCache): DockerfileModel {
  const source = new SourceText(path, text);
  const loneCr = /\r(?!\n)/.exec(text);
  if (loneCr) {
    throw new DockerfileError(path, source.lineOf(loneCr.index), 'has a carriage return that does not end a CRLF line', 'save the file with LF (or CRLF) line endings: BuildKit splits lines on LF only');
  }
  const ast = DockerfileParser.parse(text);
  const escapeChar = ast.getEscapeCharacter?.() ?? '\\';
  const directives = (ast.getDirectives?.() ?? []).map((d) => ({ name: d.getName().toLowerCase(), value: d.getValue() }));

  const instructions: Instruction[] = [];
  const globalArgs: ArgDecl[] = [];
  const globalByName = new Map<string, ArgDecl>();
  const stages: Stage[] = [];
  let current: Stage | undefined;

  for (const node of ast.getInstructions()) {
    const instr = toInstruction(node, source, escapeChar, instructions.length, shellCache);
    if (!KNOWN_INSTRUCTIONS.has(instr.keyword)) {
      throw new DockerfileError(path, instr.line, `unknown instruction "${clip(instr.keywordRaw)}"`, 'fix the typo or remove the line; the Dockerfile does not build as it is');
    }
    instructions.push(instr);
    if (instr.keyword === 'FROM') {
      current = toStage(instr, stages, source);
      stages.push(current);
      instr.stage = current;
      continue;
    }
    if (!current) {
      if (instr.keyword !== 'ARG') {
        throw new DockerfileError(path, instr.line, `${instr.keyword} before the first FROM`, 'only ARG may come before the first FROM');
      }
      for (const d of argDecls(instr, source.text, escapeChar)) {
        globalArgs.push(d);
        globalByName.set(d.name, d);
      }
      continue;
    }
    instr.stage = current;
    current.instructions.push(instr);
    if (instr.keyword === 'ARG') {
      for (const d of argDecls(instr, source.text, escapeChar)) current.args.push({ ...d, global: globalByName.get(d.name) });
    }
    if (instr.keyword === 'ENV') current.env.push(...(instr.env = envDecls(instr, source.text, escapeChar)));
  }
  if (stages.length === 0) {
    throw new DockerfileError(path, 1, 'no FROM instruction', 'a Dockerfile needs at least one FROM; is this the right file?');
  }

  const byName = new Map<string, Stage[]>();
  for (const st of stages) {
    if (!st.name) continue;
    const key = st.name.toLowerCase();
    const list = byName.get(key);
    if (list) list.push(st);
    else byName.set(key, [st]);
  }
  const model: DockerfileModel = {
    source,
    escapeChar,
    directives,
    instructions,
    globalArgs,
    stages,
    stageByRef(ref: string, before = stages.length) {
      if (/^\d+$/.test(ref)) {
        const i = Number(ref);
        return i < before ? stages[i] : undefined;
      }
      // The nearest earlier stage of that name, through an index: thousands of stages stay linear.
      const list = byName.get(ref.toLowerCase());
      if (!list) return undefined;
      for (let k = list.length - 1; k >= 0; k--) if (list[k]!.index < before) return list[k];
      return undefined;
    },
  };
  linkStages(model);
  return model;
}

function toInstruction(node: AstInstruction, source: SourceText, escapeChar: string, index: number, cache?: ShellCache): Instruction {
  const r = node.getRange();
  const start = source.offsetAt(r.start.line, r.start.character);
  const end = source.offsetAt(r.end.line, r.end.character);
  const keywordRaw = node.getInstruction();
  const keyword = keywordRaw.toUpperCase();
  // Flags and FROM's words are read here, once: dockerfile-ast recomputes its argument list on
  // every accessor call, which made it most of the cost of a parse.
  const flags: Flag[] = [];
  const words = FLAGGED.has(keyword) ? scanWords(source.text, start + keywordRaw.length, end, escapeChar, { extra: keyword === 'FROM' ? 8 : 0 }) : [];
  for (const w of words) {
    if (!w.text.startsWith('--')) break;
    const eq = w.text.indexOf('=');
    flags.push({ name: eq > 0 ? w.text.slice(2, eq) : w.text.slice(2), value: eq > 0 ? w.text.slice(eq + 1) : '', start: w.start, end: w.end });
  }
  // Arguments start after the keyword and flags, past blanks and line continuations. Computed
  // here because dockerfile-ast recomputes its argument list on every accessor call.
  const argsStart = skipBlanks(source.text, flags.length ? flags[flags.length - 1]!.end : start + keywordRaw.length, end, escapeChar);
  const argsEnd = Math.max(argsStart, end);
  const instr: Instruction = {
    keyword,
    keywordRaw,
    start,
    end,
    line: r.start.line + 1,
    endLine: r.end.line + 1,
    argsStart,
    argsEnd,
    args: '',
    flags,
    vars: [],
    heredoc: false,
    index,
  };
  if (keyword === 'FROM') fromWords.set(instr, words.slice(flags.length));
  let args: string | undefined;
  Object.defineProperty(instr, 'args', { get: () => (args ??= node.getArgumentsContent() ?? ''), enumerable: true });
  if (keyword === 'RUN') attachShell(instr, source, escapeChar, cache);
  else instr.vars = scanVarRefs(source.text, argsStart, argsEnd, escapeChar);
  return instr;
}

/** Instructions that take `--flags`. */
const FLAGGED = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'HEALTHCHECK']);

/** FROM's words after its flags (image, AS, name), kept for toStage. */
const fromWords = new WeakMap<Instruction, { text: string; start: number; end: number }[]>();

/**
 * Whitespace-separated words of an instruction's arguments, quotes kept inside a word, line
 * continuations and the comment lines inside them skipped. With `extra`, stops after the flags
 * plus that many more words (the rest of a RUN is the shell's business). With `escapes` (ARG and
 * ENV), an escaped character stays inside its word, outside single quotes.
 */
function scanWords(text: string, from: number, to: number, escapeChar: string, o: { extra?: number; escapes?: boolean }): { text: string; start: number; end: number }[] {
  const out: { text: string; start: number; end: number }[] = [];
  let i = from;
  let plain = 0;
  while (i < to) {
    i = skipBlanks(text, i, to, escapeChar);
    if (i >= to) break;
    const start = i;
    let quote = '';
    while (i < to) {
      const c = text[i]!;
      if (o.escapes && c === escapeChar) {
        if (continues(text, i)) break;
        if (quote !== "'") {
          i += 2;
          continue;
        }
      }
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === ' ' || c === '\t' || c === '\r' || c === '\n') break;
      else if (c === escapeChar && continues(text, i)) break;
      i++;
    }
    i = Math.min(i, to);
    if (i === start) {
      i++;
      continue;
    }
    const word = text.slice(start, i);
    out.push({ text: word, start, end: i });
    if (o.extra !== undefined && !word.startsWith('--') && ++plain > o.extra) break;
  }
  return out;
}

/** The escape character at `i` ends its line: a line continuation. */
const continues = (text: string, i: number) => /^[ \t]*\r?\n/.test(text.slice(i + 1, i + 40));

function skipBlanks(text: string, from: number, to: number, escapeChar: string): number {
  let i = from;
  while (i < to) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') i++;
    else if (c === escapeChar && continues(text, i)) i = text.indexOf('\n', i) + 1;
    else if (c === '#' && text[i - 1] === '\n') i = Math.min(to, text.indexOf('\n', i) < 0 ? to : text.indexOf('\n', i) + 1);
    else break;
  }
  return Math.min(i, to);
}

/**
 * Build the shell view of a RUN. The shell must see what the Dockerfile hands it, at the same
 * offsets as the file: Dockerfile comment lines inside a continuation are removed by the
 * Dockerfile parser, so they become spaces here; a non-backslash escape character's line
 * continuations likewise; CR becomes a space.
 */
function attachShell(instr: Instruction, source: SourceText, escapeChar: string, cache?: ShellCache): void {
  const text = source.text;
  const raw = text.slice(instr.argsStart, instr.argsEnd);
  const trimmed = raw.trimStart();
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed.replace(new RegExp(`\\${escapeChar}\\r?\\n`, 'g'), ''));
      if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'string')) {
        instr.execForm = parsed as string[];
        // The command is still a command: give it a (position-less) shell view so it is
        // classified like any other; no recipe can edit inside it.
        const at = instr.argsStart;
        const words = (parsed as string[]).map((v) => ({ raw: v, value: v, start: at, end: at }));
        const statement = { start: at, end: instr.argsEnd, elements: [{ start: at, end: instr.argsEnd, op: null }] };
        instr.shell = {
          offset: at,
          text: '',
          statements: [statement],
          commands: words.length
            ? [{ name: words[0]!.value, nameWord: words[0], args: words.slice(1), assigns: [], start: at, end: instr.argsEnd, statement, element: 0, nested: false, viaShellString: false, writes: [] }]
            : [],
          varRefs: [],
          assigned: new Set(),
          assignments: [],
          errorAt: at,
        };
        return;
      }
    } catch {
      // not JSON: the shell form may legitimately start with `[` (a test command).
    }
  }
  const heredoc = /^<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2[^\n]*\n/.exec(trimmed);
  if (heredoc) {
    instr.heredoc = true;
    const bodyStart = instr.argsStart + (raw.length - trimmed.length) + heredoc[0].length;
    const delim = heredoc[3]!;
    let bodyEnd = bodyStart;
    let pos = bodyStart;
    while (pos < instr.argsEnd) {
      const nl = text.indexOf('\n', pos);
      const lineEnd = nl < 0 || nl > instr.argsEnd ? instr.argsEnd : nl;
      const line = text.slice(pos, lineEnd).replace(/\r$/, '');
      if ((heredoc[1] ? line.replace(/^\t+/, '') : line) === delim) break;
      bodyEnd = lineEnd;
      pos = lineEnd + 1;
    }
    instr.shell = parseShell(blankCarriageReturns(text.slice(bodyStart, bodyEnd)), bodyStart, cache);
    return;
  }
  const chars = raw.split('');
  let lineStart = 0;
  let first = true;
  for (let i = 0; i <= chars.length; i++) {
    if (i === chars.length || chars[i] === '\n') {
      const line = raw.slice(lineStart, i);
      if (!first && (/^\s*#/.test(line) || /^\s*\r?$/.test(line)) && i < chars.length) {
        for (let j = lineStart; j <= i; j++) chars[j] = ' ';
      } else if (escapeChar !== '\\') {
        const m = new RegExp(`\\${escapeChar}[ \\t]*\\r?$`).exec(line);
        if (m && i < chars.length) for (let j = lineStart + m.index; j <= i; j++) chars[j] = ' ';
      } else if (i < chars.length) {
        // BuildKit continues a line after `\` plus trailing blanks; the shell would read an escaped
        // blank and end the command. Move the backslash next to the line end (same offsets).
        const m = /\\[ \t]+\r?$/.exec(line);
        if (m) {
          chars[lineStart + m.index] = ' ';
          chars[i - 1] = '\\';
        }
      }
      first = false;
      lineStart = i + 1;
    } else if (chars[i] === '\r') {
      // `\` CR LF must stay a line continuation: a blanked CR after the backslash would make it
      // an escaped space and end the command at the LF, so the backslash moves onto the CR.
      if (escapeChar === '\\' && chars[i + 1] === '\n' && chars[i - 1] === '\\') {
        chars[i - 1] = ' ';
        chars[i] = '\\';
      } else {
        chars[i] = ' ';
      }
    }
  }
  instr.shell = parseShell(chars.join(''), instr.argsStart, cache);
}

/** CR → space, keeping backslash-CR-LF a line continuation (see attachShell). */
function blankCarriageReturns(script: string): string {
  return script.replace(/\\\r(?=\n)/g, ' \\').replace(/\r/g, ' ');
}

function unquote(v: string): string {
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.endsWith(v[0])) return v.slice(1, -1);
  return v.replace(/\\(.)/g, '$1');
}

function argDecls(instr: Instruction, text: string, escapeChar: string): ArgDecl[] {
  const out: ArgDecl[] = [];
  for (const w of scanWords(text, instr.argsStart, instr.argsEnd, escapeChar, { escapes: true })) {
    const eq = w.text.indexOf('=');
    const name = eq >= 0 ? w.text.slice(0, eq) : w.text;
    const raw = eq >= 0 ? w.text.slice(eq + 1) : undefined;
    let value = raw;
    if (value !== undefined && value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) value = value.slice(1, -1);
    out.push({ name, defaultValue: value, rawDefault: raw, instruction: instr, start: w.start, end: w.end });
  }
  return out;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function envDecls(instr: Instruction, text: string, escapeChar: string): EnvDecl[] {
  const words = scanWords(text, instr.argsStart, instr.argsEnd, escapeChar, { escapes: true });
  const first = words[0];
  if (!first) return [];
  if (!first.text.includes('=')) {
    // `ENV NAME value`: the value is the rest of the instruction, continuations joined.
    const rest = instr.args.replace(/\r/g, ' ').trim().slice(first.text.length).trim();
    const last = words.at(-1)!;
    return [{ name: first.text, value: unquote(rest), rawValue: rest, instruction: instr, start: first.start, end: last.end, legacy: true }];
  }
  const out: EnvDecl[] = [];
  for (const w of words) {
    const eq = w.text.indexOf('=');
    if (eq <= 0 || !ENV_NAME.test(w.text.slice(0, eq))) continue;
    const raw = w.text.slice(eq + 1);
    out.push({ name: w.text.slice(0, eq), value: unquote(raw), rawValue: raw, instruction: instr, start: w.start, end: w.end, legacy: false });
  }
  return out;
}

function toStage(instr: Instruction, stages: Stage[], source: SourceText): Stage {
  const text = source.text;
  const [imageWord, asWord, nameWord] = fromWords.get(instr) ?? [];
  if (!imageWord) throw new DockerfileError(source.path, instr.line, 'FROM names no image', 'write FROM IMAGE[:TAG] [AS NAME]');
  const imageStart = imageWord?.start ?? instr.argsStart;
  const imageEnd = imageWord?.end ?? instr.argsStart;
  let asKeyword: Stage['asKeyword'];
  let nameRange: Stage['nameRange'];
  let name: string | undefined;
  if (asWord && nameWord && asWord.text.toLowerCase() === 'as') {
    asKeyword = { text: asWord.text, start: asWord.start, end: asWord.end };
    nameRange = { start: nameWord.start, end: nameWord.end };
    name = nameWord.text;
  }
  const leadingComments: Stage['leadingComments'] = [];
  for (let line = instr.line - 1; line >= 1; line--) {
    const t = source.lineText(line).trim();
    if (!t.startsWith('#')) break;
    leadingComments.unshift({ line, text: t });
  }
  return {
    index: stages.length,
    name,
    from: instr,
    asKeyword,
    nameRange,
    image: text.slice(imageStart, imageEnd),
    imageStart,
    imageEnd,
    resolvedImage: text.slice(imageStart, imageEnd),
    platformFlag: instr.flags.find((f) => f.name.toLowerCase() === 'platform'),
    instructions: [],
    leadingComments,
    refs: [],
    dependents: [],
    platform: 'target',
    isLeaf: true,
    args: [],
    env: [],
    end: instr.end,
  };
}

function linkStages(model: DockerfileModel): void {
  const { stages, source, globalArgs } = model;
  const globals = new Map<string, string>();
  for (const a of globalArgs) if (a.defaultValue !== undefined) globals.set(a.name, a.defaultValue);
  for (const stage of stages) {
    const last = stage.instructions[stage.instructions.length - 1] ?? stage.from;
    stage.end = source.lineEndIncludingEol(last.endLine);
    stage.resolvedImage = substitute(stage.image, globals);
    const base = model.stageByRef(stage.image, stage.index);
    if (base && !/^\d+$/.test(stage.image)) {
      stage.base = base;
      base.dependents.push(stage);
    }
    for (const instr of stage.instructions) {
      for (const f of instr.flags) {
        const name = f.name.toLowerCase();
        let ref: string | undefined;
        let kind: StageRef['kind'] = 'copy';
        if (name === 'from' && (instr.keyword === 'COPY' || instr.keyword === 'ADD')) ref = f.value;
        if (name === 'mount' && instr.keyword === 'RUN') {
          const m = /(?:^|,)from=([^,]+)/.exec(f.value);
          if (m) {
            ref = m[1];
            kind = 'mount';
          }
        }
        if (ref === undefined) continue;
        const target = model.stageByRef(ref, stage.index);
        stage.refs.push({ ref, stage: target, instruction: instr, kind });
        // Stages are linked in order, so an earlier ref of this same stage is the last dependent (O(1), not a scan).
        if (target && target.dependents.at(-1) !== stage) target.dependents.push(stage);
      }
    }
  }
  for (const stage of stages) {
    stage.isLeaf = stage.dependents.length === 0;
    const own = platformOfFlag(stage.platformFlag?.value);
    stage.platform = own ?? stage.base?.platform ?? 'target';
  }
}

/** The stage and its ancestors through `FROM <stage>`, nearest first. */
export function lineage(stage: Stage): Stage[] {
  const out: Stage[] = [];
  for (let s: Stage | undefined = stage; s && !out.includes(s); s = s.base) out.push(s);
  return out;
}

/** Every stage that (transitively) builds on or copies from `stage`. */
export function downstream(stage: Stage): Set<Stage> {
  const seen = new Set<Stage>();
  const todo = [...stage.dependents];
  while (todo.length) {
    const s = todo.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    todo.push(...s.dependents);
  }
  return seen;
}

/** The ARGs BuildKit sets itself, per platform of the build (automatic global ARGs). */
export const AUTOMATIC_PLATFORM_ARGS = new Set(['TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT', 'BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT']);

export interface ArgInScope {
  /** The nearest declaration: the stage's own (the last before the point), else one of a parent stage. */
  decl: ArgDecl;
  /** Its value as far as the file shows; undefined when it comes from outside (a build-arg, a global ARG, the platform). */
  value?: string;
}

/**
 * The ARG `name` in scope at `offset` of `stage`, scoped as BuildKit does (both engines of this
 * machine, pinned by test/timing/e2e): a stage sees its own ARGs after their line and, when it is
 * `FROM <stage>`, every ARG in scope at the end of that stage, transitively. `FROM <image>` starts
 * with none; a global ARG is in scope only after a bare `ARG NAME` in the stage (or a parent). A
 * re-declaration without a default keeps the inherited value, except for the name of a global ARG
 * or an automatic platform ARG, which it sets to the global value again. Every rule and recipe
 * that asks "is this ARG declared here?" asks this.
 */
export function argInScope(stage: Stage, name: string, offset = Infinity): ArgInScope | undefined {
  let nearest: ArgDecl | undefined;
  for (const s of lineage(stage)) {
    for (let i = s.args.length - 1; i >= 0; i--) {
      const a = s.args[i]!;
      if (a.name !== name || (s === stage && a.instruction.start >= offset)) continue;
      nearest ??= a;
      if (a.defaultValue !== undefined) return { decl: nearest, value: a.defaultValue };
      if (a.global || AUTOMATIC_PLATFORM_ARGS.has(name)) return { decl: nearest };
    }
  }
  return nearest && { decl: nearest };
}
