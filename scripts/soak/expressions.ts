/**
 * GitHub Actions expressions (`${{ ... }}`), the part of the language the workflows of this
 * repository use, with GitHub's semantics: `&&` / `||` give an operand (not a boolean), `==`
 * compares loosely (a string and a number compare as numbers), falsy is false, 0, '', null.
 * Anything outside that part (another function, an unknown context) is an error, never a silent
 * empty string: the soak must not pass because an expression was skipped.
 */

export type Value = string | number | boolean | null | Value[] | { [k: string]: Value };

export interface Contexts {
  [context: string]: Value | undefined;
}

/** Status functions: what `always()`, `success()`, `failure()`, `cancelled()` answer where they are called. */
export interface Status {
  success: boolean;
  failure: boolean;
  cancelled: boolean;
}

type Token = { kind: 'str' | 'num' | 'id' | 'op' | 'punct'; text: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new Error(`unterminated string in \${{ ${src} }}`);
        if (src[i] === "'" && src[i + 1] === "'") {
          s += "'";
          i += 2;
        } else if (src[i] === "'") {
          i++;
          break;
        } else s += src[i++];
      }
      out.push({ kind: 'str', text: s });
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(src[i + 1] ?? '') && !/id|str|num/.test(out.at(-1)?.kind ?? ''))) {
      const m = /^-?[0-9]+(\.[0-9]+)?/.exec(src.slice(i))!;
      out.push({ kind: 'num', text: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      // Property names may hold '-' (inputs.max-new-prs), as GitHub allows.
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i))!;
      out.push({ kind: 'id', text: m[0] });
      i += m[0].length;
    } else {
      const two = src.slice(i, i + 2);
      if (['==', '!=', '&&', '||', '<=', '>='].includes(two)) {
        out.push({ kind: 'op', text: two });
        i += 2;
      } else if ('!<>'.includes(c)) {
        out.push({ kind: 'op', text: c });
        i++;
      } else if ('().,[]*'.includes(c)) {
        out.push({ kind: 'punct', text: c });
        i++;
      } else throw new Error(`unexpected '${c}' in \${{ ${src} }}`);
    }
  }
  return out;
}

export function truthy(v: Value | undefined): boolean {
  return !(v === false || v === 0 || v === '' || v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)));
}

function toNumber(v: Value | undefined): number {
  if (v === null || v === undefined || v === false) return 0;
  if (v === true) return 1;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return v.trim() === '' ? 0 : Number(v);
  return NaN;
}

function looseEqual(a: Value | undefined, b: Value | undefined): boolean {
  const ta = a === undefined ? null : a;
  const tb = b === undefined ? null : b;
  if (typeof ta === 'string' && typeof tb === 'string') return ta.toLowerCase() === tb.toLowerCase();
  if (ta === null && tb === null) return true;
  if (typeof ta === 'object' || typeof tb === 'object') return ta === tb;
  return toNumber(ta) === toNumber(tb);
}

/** How a value reads where `${{ }}` is put into a string. */
export function stringify(v: Value | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function evaluate(src: string, ctx: Contexts, status?: Status): Value {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const take = (text?: string) => {
    const t = toks[p];
    if (!t || (text !== undefined && t.text !== text)) throw new Error(`expected '${text ?? 'a value'}' in \${{ ${src} }}`);
    p++;
    return t;
  };

  const call = (name: string, args: Value[]): Value => {
    switch (name.toLowerCase()) {
      case 'fromjson': {
        const s = stringify(args[0]);
        try {
          return JSON.parse(s) as Value;
        } catch {
          throw new Error(`fromJSON: not JSON: ${s.slice(0, 80)}`);
        }
      }
      case 'tojson':
        return JSON.stringify(args[0] ?? null, null, 2);
      case 'contains': {
        const [hay, needle] = args;
        if (Array.isArray(hay)) return hay.some((x) => looseEqual(x, needle));
        return stringify(hay).toLowerCase().includes(stringify(needle).toLowerCase());
      }
      case 'startswith':
        return stringify(args[0]).toLowerCase().startsWith(stringify(args[1]).toLowerCase());
      case 'format':
        return stringify(args[0]).replace(/\{(\d+)\}/g, (_, n: string) => stringify(args[Number(n) + 1]));
      case 'always':
        return true;
      case 'success':
      case 'failure':
      case 'cancelled':
        if (!status) throw new Error(`${name}() is not available here (\${{ ${src} }})`);
        return status[name.toLowerCase() as keyof Status];
      default:
        throw new Error(`unknown function ${name}() in \${{ ${src} }}`);
    }
  };

  const primary = (): Value => {
    const t = take();
    if (t.kind === 'str') return t.text;
    if (t.kind === 'num') return Number(t.text);
    if (t.text === '(') {
      const v = or();
      take(')');
      return v;
    }
    if (t.kind !== 'id') throw new Error(`unexpected '${t.text}' in \${{ ${src} }}`);
    if (t.text === 'true') return true;
    if (t.text === 'false') return false;
    if (t.text === 'null') return null;
    if (peek()?.text === '(') {
      take('(');
      const args: Value[] = [];
      while (peek()?.text !== ')') {
        args.push(or());
        if (peek()?.text === ',') take(',');
      }
      take(')');
      return call(t.text, args);
    }
    if (!(t.text in ctx)) throw new Error(`unknown context '${t.text}' in \${{ ${src} }}`);
    let v: Value | undefined = ctx[t.text];
    for (;;) {
      const n = peek();
      if (n?.text === '.') {
        take('.');
        const key = take().text;
        v = v !== null && typeof v === 'object' && !Array.isArray(v) ? v[key] : undefined;
      } else if (n?.text === '[') {
        take('[');
        const key = or();
        take(']');
        v = v !== null && typeof v === 'object' ? (v as Record<string, Value>)[stringify(key)] : undefined;
      } else break;
    }
    return v ?? null;
  };
  const not = (): Value => {
    if (peek()?.text === '!') {
      take('!');
      return !truthy(not());
    }
    return primary();
  };
  const cmp = (): Value => {
    let l = not();
    while (peek() && ['==', '!=', '<', '>', '<=', '>='].includes(peek()!.text)) {
      const op = take().text;
      const r = not();
      if (op === '==') l = looseEqual(l, r);
      else if (op === '!=') l = !looseEqual(l, r);
      else {
        const a = toNumber(l);
        const b = toNumber(r);
        l = op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b;
      }
    }
    return l;
  };
  const and = (): Value => {
    let l = cmp();
    while (peek()?.text === '&&') {
      take('&&');
      const r = cmp();
      l = truthy(l) ? r : l;
    }
    return l;
  };
  function or(): Value {
    let l = and();
    while (peek()?.text === '||') {
      take('||');
      const r = and();
      l = truthy(l) ? l : r;
    }
    return l;
  }
  const v = or();
  if (p !== toks.length) throw new Error(`unexpected '${toks[p]!.text}' in \${{ ${src} }}`);
  return v;
}

/** A string with `${{ }}` in it: each replaced by its value; a string that is one expression keeps the value's type. */
export function interpolate(text: string, ctx: Contexts, status?: Status): Value {
  const whole = /^\s*\$\{\{([\s\S]*?)\}\}\s*$/.exec(text);
  if (whole && !whole[1]!.includes('}}')) return evaluate(whole[1]!, ctx, status);
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, e: string) => stringify(evaluate(e, ctx, status)));
}

/** An `if:` condition: GitHub wraps a bare one in `${{ }}` and adds `success() &&` unless it calls a status function. */
export function condition(text: string | boolean | undefined, ctx: Contexts, status: Status): boolean {
  if (text === undefined) return status.success;
  if (typeof text === 'boolean') return text && status.success;
  const inner = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(text)?.[1] ?? text;
  const usesStatus = /\b(always|success|failure|cancelled)\s*\(/i.test(inner);
  return truthy(evaluate(usesStatus ? inner : `success() && (${inner})`, ctx, status));
}
