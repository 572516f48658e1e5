/**
 * buildx `--progress=rawjson`: one JSON object per line (BuildKit's SolveStatus), with
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
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (!t) continue;
    let obj: { vertexes?: RawVertex[]; logs?: RawLog[] };
    try {
      obj = JSON.parse(t);
    } catch {
      other.push(line);
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
