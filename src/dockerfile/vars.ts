/**
 * Variable references in Dockerfile instructions other than RUN (`FROM image-${ARCH}`,
 * `ADD https://.../x-$ARCH.tgz`, `ENV GOARCH=${ARCH}`): Dockerfile substitution, not shell.
 */
export interface VarRef {
  name: string;
  /** Range of the name itself, for renaming. */
  start: number;
  end: number;
  /** Range of the whole reference (`${NAME:-x}`). */
  refStart: number;
  refEnd: number;
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

export function scanVarRefs(text: string, from: number, to: number, escapeChar = '\\'): VarRef[] {
  const out: VarRef[] = [];
  let inSingle = false;
  for (let i = from; i < to; i++) {
    const c = text[i]!;
    if (c === escapeChar) {
      i++;
      continue;
    }
    if (c === "'") inSingle = !inSingle;
    if (inSingle || c !== '$') continue;
    if (text[i + 1] === '{') {
      let j = i + 2;
      if (!NAME_START.test(text[j] ?? '')) continue;
      while (j < to && NAME_CHAR.test(text[j]!)) j++;
      const close = text.indexOf('}', j);
      if (close < 0 || close >= to) continue;
      out.push({ name: text.slice(i + 2, j), start: i + 2, end: j, refStart: i, refEnd: close + 1 });
      i = close;
    } else if (NAME_START.test(text[i + 1] ?? '')) {
      let j = i + 1;
      while (j < to && NAME_CHAR.test(text[j]!)) j++;
      out.push({ name: text.slice(i + 1, j), start: i + 1, end: j, refStart: i, refEnd: j });
      i = j - 1;
    }
  }
  return out;
}

/** Substitute `${NAME}` style references with known values, leaving unknown ones as written. */
export function substitute(value: string, known: Map<string, string>): string {
  let out = '';
  let last = 0;
  for (const r of scanVarRefs(value, 0, value.length)) {
    const v = known.get(r.name);
    if (v === undefined) continue;
    out += value.slice(last, r.refStart) + v;
    last = r.refEnd;
  }
  return out + value.slice(last);
}
