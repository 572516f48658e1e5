/**
 * One BuildKit vertex as both progress formats report it, and the reading of its name: BuildKit
 * names Dockerfile steps `[<platform> <stage> k/n] INSTRUCTION`, where the platform appears only in
 * multi-platform builds (`linux/arm64` for an emulated step, `linux/amd64->arm64` for one that runs
 * on the build platform for another target) and the stage name is padded for alignment.
 */
export type StepStatus = 'done' | 'cached' | 'error' | 'canceled' | 'running';

export interface Step {
  /** `#N` of the plain format, the vertex digest of rawjson. */
  id: string;
  /** The name as printed, e.g. `[builder 3/7] RUN go build ./...`. */
  name: string;
  status: StepStatus;
  /** Undefined while running or when the format gives no duration (a plain ERROR line). */
  seconds?: number;
  error?: string;
  /** The parts of the bracket, when the name has one. */
  platform?: string;
  /** For `linux/amd64->arm64`: the platform the step runs on (linux/amd64). */
  runsOn?: string;
  stage?: string;
  index?: number;
  total?: number;
  /** `[internal] ...` and image resolution: not a Dockerfile instruction. */
  internal: boolean;
}

const BRACKET = /^\[([^\]]*)\]\s*(.*)$/s;
const PLATFORM = /^([a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?)(?:->([a-z0-9_]+(?:\/[a-z0-9]+)?))?$/;
const POSITION = /^(\d+)\/(\d+)$/;

export type StepName = Pick<Step, 'platform' | 'runsOn' | 'stage' | 'index' | 'total' | 'internal'>;

export function readStepName(name: string): StepName {
  const m = BRACKET.exec(name.trim());
  if (!m) return { internal: true };
  const words = m[1].trim().split(/\s+/).filter(Boolean);
  if (words.length === 1 && words[0] === 'internal') return { internal: true };
  const out: StepName = { internal: false };
  const first = words[0] !== undefined ? PLATFORM.exec(words[0]) : null;
  if (first && words.length > 1) {
    words.shift();
    if (first[2]) {
      // linux/amd64->arm64: runs on linux/amd64, builds for linux/arm64 (the OS is the build's).
      const os = first[1].split('/')[0];
      out.runsOn = first[1];
      out.platform = first[2].includes('/') && !first[2].startsWith(os) ? first[2] : `${os}/${first[2]}`;
    } else {
      out.platform = first[1];
    }
  }
  const last = words[words.length - 1];
  const pos = last !== undefined ? POSITION.exec(last) : null;
  if (pos) {
    words.pop();
    out.index = Number(pos[1]);
    out.total = Number(pos[2]);
  }
  if (words.length > 0) out.stage = words.join(' ');
  return out;
}

/** Executed steps (not cached, not internal) by duration, longest first. */
export function slowest(steps: Step[], n = 5): Step[] {
  return steps
    .filter((s) => !s.internal && s.status !== 'cached' && s.seconds !== undefined)
    .sort((a, b) => b.seconds! - a.seconds! || a.name.localeCompare(b.name))
    .slice(0, n);
}

/** The step that failed the build: the first errored one that was not merely canceled. */
export function failingStep(steps: Step[]): Step | undefined {
  return steps.find((s) => s.status === 'error');
}
