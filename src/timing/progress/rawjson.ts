/**
 * buildx `--progress=rawjson`: a stream of JSON objects (BuildKit's SolveStatus), one per line in
 * newer buildx, indented over many lines in buildx 0.13 (Debian trixie's), with
 * `vertexes[]` carrying `digest`, `name`, `started`, `completed`, `cached`, `error`, and `logs[]`
 * carrying base64 `data` per vertex. A vertex is reported many times while it runs; its last
 * completed record is the one that counts.
 */
import { readStepName, type Step } from './step.ts';

interface RawVertex {
  digest?: string;
  name?: string;
  started?: string;
  completed?: string;
  cached?: boolean;
  error?: string;
}

interface RawLog {
  vertex?: string;
  data?: string;
}

export interface RawJsonProgress {
  steps: Step[];
  /** Decoded output lines per vertex digest (for the tail of a failed step). */
  logs: Map<string, string[]>;
  /** Lines that were not JSON (buildx prints a few plain lines around the stream). */
  other: string[];
}

const CANCELED = /context canceled|\bcanceled\b|\bcancelled\b/i;

export function parseRawJsonProgress(text: string): RawJsonProgress {
  const order: string[] = [];
  const last = new Map<string, RawVertex>();
  const logs = new Map<string, string[]>();
  const other: string[] = [];
  for (const chunk of jsonChunks(text)) {
    if (chunk.other !== undefined) {
      if (chunk.other.trim()) other.push(chunk.other);
      continue;
    }
    let obj: { vertexes?: RawVertex[]; logs?: RawLog[] };
    try {
      obj = JSON.parse(chunk.json);
    } catch {
      other.push(...chunk.json.split(/\r?\n/).filter((l) => l.trim()));
      continue;
    }
    if (!obj || typeof obj !== 'object') continue;
    for (const v of obj.vertexes ?? []) {
      if (!v.digest) continue;
      const prev = last.get(v.digest);
      if (!prev) order.push(v.digest);
      // Keep the last completed record; a later record without `completed` (a progress update
      // arriving late) must not undo it.
      if (!prev || v.completed || !prev.completed) last.set(v.digest, { ...prev, ...v });
    }
    for (const l of obj.logs ?? []) {
      if (!l.vertex || !l.data) continue;
      const lines = Buffer.from(l.data, 'base64').toString('utf8').split(/\r?\n/).filter((s) => s.length > 0);
      const list = logs.get(l.vertex) ?? [];
      list.push(...lines);
      logs.set(l.vertex, list);
    }
  }
  const steps: Step[] = order.map((digest) => {
    const v = last.get(digest)!;
    const name = v.name ?? digest;
    const seconds = v.started && v.completed ? Math.max(0, (Date.parse(v.completed) - Date.parse(v.started)) / 1000) : undefined;
    let status: Step['status'] = 'running';
    if (v.error) status = CANCELED.test(v.error) ? 'canceled' : 'error';
    else if (v.cached) status = 'cached';
    else if (v.completed) status = 'done';
    return { id: digest, name, status, seconds: status === 'cached' ? 0 : seconds, ...(v.error ? { error: v.error } : {}), ...readStepName(name) };
  });
  return { steps, logs, other };
}

/**
 * Split a progress stream into top-level JSON objects (on one line or many) and the plain lines
 * between them: braces are counted outside JSON strings.
 */
export function* jsonChunks(text: string): Generator<{ json: string; other?: undefined } | { other: string; json?: undefined }> {
  let i = 0;
  const n = text.length;
  while (i < n) {
    // Between objects: a plain line, unless it starts (after blanks) with `{`.
    let j = i;
    while (j < n && (text[j] === ' ' || text[j] === '\t' || text[j] === '\r' || text[j] === '\n')) j++;
    if (j >= n) return;
    if (text[j] !== '{') {
      const end = text.indexOf('\n', j);
      const stop = end < 0 ? n : end;
      yield { other: text.slice(j, stop).replace(/\r$/, '') };
      i = stop + 1;
      continue;
    }
    let depth = 0;
    let inString = false;
    let k = j;
    for (; k < n; k++) {
      const c = text[k];
      if (inString) {
        if (c === '\\') k++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) break;
      }
    }
    // An object cut off at the end of the stream (a killed build) is passed on as it is.
    yield { json: text.slice(j, Math.min(k + 1, n)) };
    i = k + 1;
  }
}
