/**
 * The plain progress of BuildKit (`--progress=plain`, as dockerd 20.10 and buildx print it):
 *
 *   #7 [builder 3/7] RUN go build ./...        a vertex starts (the header may repeat when
 *   #7 0.512 compiling...                       its output resumes after another vertex's)
 *   #7 DONE 41.3s | #7 CACHED | #7 CANCELED | #7 ERROR: <message>
 *
 * plus `#7 sha256:...` digest lines and `#7 resolve ... 0.1s done` progress lines, which say
 * nothing about the step's outcome.
 */
import { readStepName, type Step } from './step.ts';

const LINE = /^#(\d+) (.*)$/;
const DONE = /^DONE (\d+(?:\.\d+)?)s$/;
const ERROR = /^ERROR:?\s*(.*)$/;
const TIMESTAMPED = /^\d+(?:\.\d+)? /;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

export interface PlainProgress {
  steps: Step[];
}

export function parsePlainProgress(text: string): PlainProgress {
  const byId = new Map<string, Step>();
  for (const raw of text.split(/\r?\n/)) {
    const m = LINE.exec(raw.trimEnd());
    if (!m) continue;
    const [, id, rest] = m;
    let step = byId.get(id);
    if (!step) {
      // The first line of a vertex is its name.
      step = { id, name: rest, status: 'running', ...readStepName(rest) };
      byId.set(id, step);
      continue;
    }
    let r: RegExpExecArray | null;
    if ((r = DONE.exec(rest))) {
      step.status = step.status === 'error' ? 'error' : 'done';
      step.seconds = Number(r[1]);
    } else if (rest === 'CACHED') {
      step.status = 'cached';
      step.seconds = 0;
    } else if (rest === 'CANCELED' || rest.startsWith('CANCELED ')) {
      step.status = 'canceled';
      const s = /(\d+(?:\.\d+)?)s$/.exec(rest);
      if (s) step.seconds = Number(s[1]);
    } else if ((r = ERROR.exec(rest)) && !TIMESTAMPED.test(rest)) {
      step.status = 'error';
      step.error = r[1];
    } else if (DIGEST.test(rest)) {
      continue;
    }
  }
  return { steps: [...byId.values()].sort((a, b) => Number(a.id) - Number(b.id)) };
}
