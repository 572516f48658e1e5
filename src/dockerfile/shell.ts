/**
 * A shell-level view of RUN commands, from a real shell grammar (tree-sitter-bash).
 *
 * Why tree-sitter-bash and not sh-syntax: sh-syntax 0.7 instantiates its WebAssembly module on
 * every call (~50 ms each) and its JSON drops the command nodes we need (names, arguments,
 * assignments); tree-sitter-bash parses a RUN in ~0.1 ms, synchronously, with exact offsets, and
 * keeps going past syntax errors so we can still report where they are.
 *
 * Every offset here is an offset into the Dockerfile text, so recipes can edit at them directly.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Language, Parser, type Node } from 'web-tree-sitter';

const require = createRequire(import.meta.url);
// In the action's bundle (dist/action.mjs, run with no node_modules) both grammars sit next to the
// bundle, copied there by scripts/build-action.ts: web-tree-sitter already looks for its .wasm next
// to its import.meta.url, which is the bundle's; tree-sitter-bash's is found the same way.
declare const __IBM_ACTION_BUNDLE__: boolean | undefined;
const inActionBundle = typeof __IBM_ACTION_BUNDLE__ !== 'undefined' && __IBM_ACTION_BUNDLE__;
await Parser.init();
const bash = await Language.load(inActionBundle ? fileURLToPath(new URL('tree-sitter-bash.wasm', import.meta.url)) : require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'));
const parser = new Parser();
parser.setLanguage(bash);

export interface ShellWord {
  /** Source text of the word, quotes included. */
  raw: string;
  /** Best-effort value with quotes removed (expansions kept as written). */
  value: string;
  start: number;
  end: number;
}

export interface ShellAssign {
  name: string;
  value: string;
  start: number;
  end: number;
}

export interface ShellCommand {
  /** Command name with wrappers such as `env`, `exec`, `time` looked through. */
  name: string;
  /** Arguments after the name. */
  args: ShellWord[];
  /** `NAME=value` prefixes (including those given to `env`). */
  assigns: ShellAssign[];
  nameWord?: ShellWord;
  start: number;
  end: number;
  /** The top-level statement (a whole `a && b || c` list) that contains this command. */
  statement: ShellStatement;
  /** Index of the and-or element of `statement` that contains this command. */
  element: number;
  /** True when nested in an if/for/while/case/subshell/function/command substitution. */
  nested: boolean;
  /** True when the command is `sh -c '...'` style: its real work hides in a string. */
  viaShellString: boolean;
  /** Files its output is redirected to (`> file`, `>> file`), not counting /dev/null. */
  writes: string[];
  /**
   * For `sh -c '...'`: the commands of that script, for classification only (their offsets are
   * the outer command's: nothing edits inside the string).
   */
  inner?: ShellCommand[];
}

export interface ShellElement {
  start: number;
  end: number;
  /** The operator that joins this element to the previous one (`null` for the first). */
  op: '&&' | '||' | null;
}

export interface ShellStatement {
  start: number;
  end: number;
  elements: ShellElement[];
}

export interface ShellVarRef {
  name: string;
  /** Range of the variable name itself (what to replace when renaming). */
  start: number;
  end: number;
  /** True inside a command substitution or an arithmetic context. */
  command?: ShellCommand;
}

export interface ShellScript {
  /** Offset in the Dockerfile where the script text starts. */
  offset: number;
  /** The script as the shell sees it, offsets aligned with the Dockerfile text. */
  text: string;
  statements: ShellStatement[];
  commands: ShellCommand[];
  varRefs: ShellVarRef[];
  /** Variables the script itself assigns (`X=..`, `export X=..`, `for X in`, `read X`). */
  assigned: Set<string>;
  /**
   * Every `NAME=value` of the script with its value as the grammar reads it (`GOARCH=$(go env
   * GOHOSTARCH)` is one value, spaces and all): bare, exported, or a command's prefix.
   */
  assignments: ShellAssign[];
  /** Offset of the first syntax error, if the grammar found one. */
  errorAt?: number;
}

const WRAPPERS = new Set(['env', 'exec', 'time', 'nice', 'nohup', 'command', 'sudo']);
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash']);

function unquote(raw: string): string {
  if (raw.length >= 2 && ((raw[0] === '"' && raw.endsWith('"')) || (raw[0] === "'" && raw.endsWith("'")))) {
    return raw.slice(1, -1);
  }
  return raw.replace(/\\(.)/g, '$1');
}

/**
 * Parsed scripts by text. A migration re-reads the Dockerfile after each recipe, and most RUNs
 * did not change, so the shell parse (the bulk of the cost) is looked up instead of redone.
 */
export class ShellCache {
  private readonly map = new Map<string, ShellScript>();
  get(text: string, offset: number): ShellScript {
    let base = this.map.get(text);
    if (!base) {
      base = parseShellUncached(text, 0);
      if (this.map.size > 5000) this.map.clear();
      this.map.set(text, base);
    }
    return offset === 0 ? base : shiftScript(base, offset);
  }
}

function shiftScript(s: ShellScript, by: number): ShellScript {
  const statements = new Map<ShellStatement, ShellStatement>();
  const shiftStmt = (st: ShellStatement): ShellStatement => {
    let out = statements.get(st);
    if (!out) {
      out = { start: st.start + by, end: st.end + by, elements: st.elements.map((e) => ({ ...e, start: e.start + by, end: e.end + by })) };
      statements.set(st, out);
    }
    return out;
  };
  const w = (x: ShellWord): ShellWord => ({ ...x, start: x.start + by, end: x.end + by });
  return {
    offset: s.offset + by,
    text: s.text,
    statements: s.statements.map(shiftStmt),
    commands: s.commands.map(function shiftCmd(c: ShellCommand): ShellCommand {
      return {
        ...c,
        args: c.args.map(w),
        assigns: c.assigns.map((a) => ({ ...a, start: a.start + by, end: a.end + by })),
        nameWord: c.nameWord && w(c.nameWord),
        start: c.start + by,
        end: c.end + by,
        statement: shiftStmt(c.statement),
        inner: c.inner?.map(shiftCmd),
      };
    }),
    varRefs: s.varRefs.map((v) => ({ ...v, start: v.start + by, end: v.end + by })),
    assigned: s.assigned,
    assignments: s.assignments.map((a) => ({ ...a, start: a.start + by, end: a.end + by })),
    errorAt: s.errorAt === undefined ? undefined : s.errorAt + by,
  };
}

/**
 * Parse `text` (already aligned to the Dockerfile: Dockerfile-only syntax blanked out) whose
 * first character sits at `offset` in the Dockerfile.
 */
export function parseShell(text: string, offset: number, cache?: ShellCache): ShellScript {
  return cache ? cache.get(text, offset) : parseShellUncached(text, offset);
}

function parseShellUncached(text: string, offset: number): ShellScript {
  const tree = parser.parse(text);
  if (!tree) throw new Error('shell parser returned no tree');
  const script: ShellScript = {
    offset,
    text,
    statements: [],
    commands: [],
    varRefs: [],
    assigned: new Set(),
    assignments: [],
  };
  try {
    const root = tree.rootNode;
    if (root.hasError) script.errorAt = offset + firstError(root);
    for (const child of root.namedChildren) {
      if (!child || child.type === 'comment') continue;
      const statement: ShellStatement = { start: offset + child.startIndex, end: offset + child.endIndex, elements: [] };
      flattenAndOr(child, statement, offset);
      script.statements.push(statement);
      collect(child, script, statement, offset, false, []);
    }
  } finally {
    tree.delete();
  }
  return script;
}

function firstError(node: Node): number {
  if (node.type === 'ERROR' || node.isMissing) return node.startIndex;
  for (const c of node.children) if (c && (c.hasError || c.isMissing)) return firstError(c);
  return node.startIndex;
}

function flattenAndOr(node: Node, statement: ShellStatement, offset: number): void {
  if (node.type === 'list') {
    const [left, op, right] = [node.child(0), node.child(1), node.child(2)];
    if (left && op && right && (op.type === '&&' || op.type === '||')) {
      flattenAndOr(left, statement, offset);
      statement.elements.push({ start: offset + right.startIndex, end: offset + right.endIndex, op: op.type });
      return;
    }
  }
  statement.elements.push({ start: offset + node.startIndex, end: offset + node.endIndex, op: null });
}

function elementIndex(statement: ShellStatement, pos: number): number {
  for (let i = statement.elements.length - 1; i >= 0; i--) if (statement.elements[i]!.start <= pos) return i;
  return 0;
}

function word(node: Node, offset: number): ShellWord {
  return { raw: node.text, value: unquote(node.text), start: offset + node.startIndex, end: offset + node.endIndex };
}

const NESTING = new Set([
  'if_statement',
  'for_statement',
  'c_style_for_statement',
  'while_statement',
  'case_statement',
  'subshell',
  'compound_statement',
  'function_definition',
  'command_substitution',
  'process_substitution',
]);

function collect(node: Node, script: ShellScript, statement: ShellStatement, offset: number, nested: boolean, writes: string[]): void {
  switch (node.type) {
    case 'command':
      script.commands.push({ ...commandOf(node, script, statement, offset, nested), writes });
      break;
    case 'declaration_command': {
      // `export A=1 B`, `local X=...`: a command whose arguments are the assignments.
      const keyword = node.child(0);
      const words = node.namedChildren.filter((c): c is Node => !!c).map((c) => word(c, offset));
      const start = offset + node.startIndex;
      for (const c of node.namedChildren) {
        if (c?.type === 'variable_assignment') {
          const n = c.childForFieldName('name');
          if (n) script.assigned.add(n.text);
        } else if (c?.type === 'variable_name') script.assigned.add(c.text);
      }
      script.commands.push({
        name: keyword?.text ?? 'export',
        nameWord: keyword ? word(keyword, offset) : undefined,
        args: words,
        assigns: [],
        start,
        end: offset + node.endIndex,
        statement,
        element: elementIndex(statement, start),
        nested,
        viaShellString: false,
        writes,
      });
      break;
    }
    case 'redirected_statement': {
      const files: string[] = [...writes];
      for (const r of node.namedChildren) {
        if (r?.type !== 'file_redirect') continue;
        const op = r.children.find((c) => c && /^(>|>>|&>|&>>|>\|)$/.test(c.type));
        const dest = r.childForFieldName('destination');
        if (op && dest && dest.text !== '/dev/null') files.push(unquote(dest.text));
      }
      for (const c of node.namedChildren) if (c && c.type !== 'file_redirect') collect(c, script, statement, offset, nested, files);
      return;
    }
    case 'variable_assignment': {
      const name = node.childForFieldName('name');
      if (name) script.assigned.add(name.text);
      const value = node.childForFieldName('value');
      if (name) script.assignments.push({ name: name.text, value: value ? unquote(value.text) : '', start: offset + node.startIndex, end: offset + node.endIndex });
      break;
    }
    case 'for_statement': {
      const v = node.childForFieldName('variable');
      if (v) script.assigned.add(v.text);
      break;
    }
    case 'simple_expansion':
    case 'expansion': {
      const v = node.namedChildren.find((c) => c?.type === 'variable_name');
      if (v) script.varRefs.push({ name: v.text, start: offset + v.startIndex, end: offset + v.endIndex });
      break;
    }
    case 'raw_string':
      return;
  }
  const inner = nested || NESTING.has(node.type);
  for (const c of node.namedChildren) if (c) collect(c, script, statement, offset, inner, writes);
}

function commandOf(node: Node, script: ShellScript, statement: ShellStatement, offset: number, nested: boolean): ShellCommand {
  const assigns: ShellAssign[] = [];
  const words: ShellWord[] = [];
  const argIds = new Set(node.childrenForFieldName('argument').map((a) => a?.id));
  for (const c of node.namedChildren) {
    if (!c) continue;
    if (c.type === 'variable_assignment') {
      const n = c.childForFieldName('name');
      const v = c.childForFieldName('value');
      assigns.push({ name: n?.text ?? '', value: v ? unquote(v.text) : '', start: offset + c.startIndex, end: offset + c.endIndex });
    } else if (c.type === 'command_name') {
      words.push(word(c, offset));
    } else if (argIds.has(c.id)) {
      words.push(word(c, offset));
    }
  }
  // Look through `env A=b cmd`, `exec cmd`, `time cmd`: the command that runs is what matters.
  while (words.length > 0 && WRAPPERS.has(words[0]!.value)) {
    words.shift();
    while (words.length > 0 && (words[0]!.value.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!.value))) {
      const w = words.shift()!;
      const eq = w.value.indexOf('=');
      if (eq > 0) assigns.push({ name: w.value.slice(0, eq), value: w.value.slice(eq + 1), start: w.start, end: w.end });
    }
  }
  // `sh -ex ./build_linux.sh -v`: the script is the command that runs.
  if (words.length > 1 && SHELLS.has(words[0]!.value) && !words.some((w) => w.value === '-c')) {
    const script = words.findIndex((w, i) => i > 0 && !w.value.startsWith('-'));
    if (script > 0) words.splice(0, script);
  }
  const nameWord = words.shift();
  const name = nameWord?.value ?? '';
  if (name === 'export' || name === 'read' || name === 'local' || name === 'declare') {
    for (const w of words) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)/.exec(w.value);
      if (m && !w.value.startsWith('-')) script.assigned.add(m[1]!);
    }
  }
  const start = offset + node.startIndex;
  const end = offset + node.endIndex;
  const viaShellString = SHELLS.has(baseName(name)) && words.some((w) => w.value === '-c');
  let inner: ShellCommand[] | undefined;
  if (viaShellString) {
    const scriptWord = words[words.findIndex((w) => w.value === '-c') + 1];
    if (scriptWord) {
      const sub = parseShellUncached(scriptWord.value, 0);
      const at = (c: ShellCommand): ShellCommand => ({
        ...c,
        args: c.args.map((a) => ({ ...a, start, end })),
        assigns: c.assigns.map((a) => ({ ...a, start, end })),
        nameWord: c.nameWord && { ...c.nameWord, start, end },
        start,
        end,
        statement,
        element: elementIndex(statement, start),
        nested: true,
        inner: c.inner?.map(at),
      });
      inner = sub.commands.map(at);
    }
  }
  return {
    name,
    args: words,
    assigns,
    nameWord,
    start,
    end,
    statement,
    element: elementIndex(statement, start),
    nested,
    viaShellString,
    writes: [],
    inner,
  };
}

/** The base name of a command (`/usr/local/bin/go-build-static.sh` → `go-build-static.sh`). */
export function baseName(name: string): string {
  const i = name.lastIndexOf('/');
  return i >= 0 ? name.slice(i + 1) : name;
}
