/**
 * The builder seam: one cold build of one Dockerfile variant for one platform, on whichever
 * BuildKit front end this machine has (probe.ts picks it).
 */
import type { Step } from './progress/step.ts';

export interface BuildRequest {
  contextDir: string;
  /** Absolute path of the Dockerfile; it may live outside the context. */
  dockerfile: string;
  platform: string;
  buildArgs?: Record<string, string>;
  target?: string;
  /** Tag the image (exported to the engine's image store); untagged builds export nothing. */
  tag?: string;
  timeoutMs: number;
  /** Prune the build cache first and build with --no-cache, base images pulled for the platform. */
  cold: boolean;
}

export interface BuildOutcome {
  status: 'ok' | 'failed' | 'timeout';
  wallSeconds: number;
  historySeconds?: number;
  steps: Step[];
  failedStep?: string;
  error?: string;
  /** The last 20 lines of the build's log (failed builds). */
  logTail: string[];
  /** The whole progress output, for callers that look for a step's output. */
  log: string;
}

export interface BuilderInfo {
  kind: 'buildx' | 'docker';
  /** The docker client binary used. */
  client: string;
  version: string;
  engine: string;
}

export interface Builder {
  readonly info: BuilderInfo;
  build(req: BuildRequest): Promise<BuildOutcome>;
}

export class NoBuilderError extends Error {}

export function parseBuildxVersion(text: string): string | undefined {
  return /\bv?(\d+\.\d+\.\d+[^\s]*)/.exec(text)?.[1];
}

export function majorOf(version: string | undefined): number {
  const m = /^v?(\d+)/.exec(version ?? '');
  return m ? Number(m[1]) : 0;
}

export function buildArgFlags(args: Record<string, string> = {}): string[] {
  return Object.entries(args).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
}

/** The last `n` non-empty lines of a log. */
export function tail(text: string, n = 20): string[] {
  return text.split(/\r?\n/).filter((l) => l.trim().length > 0).slice(-n);
}
