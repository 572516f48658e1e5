/**
 * A Builder (the seam of src/timing/builder.ts) that builds nothing: it records what it was asked
 * to build, read at the moment of the call (the Dockerfile text, chosen context files), and
 * answers with the wall time the test gives. For tests about what is timed and where results go;
 * real builds are `npm run test:build`'s (test/timing/e2e).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BuildOutcome, BuildRequest, Builder, BuilderInfo } from '../../src/timing/builder.ts';

export interface RecordedBuild {
  platform: string;
  target?: string;
  buildArgs: Record<string, string>;
  contextDir: string;
  /** The Dockerfile text as it was when the build was asked for. */
  dockerfile: string;
  /** The context files the test asked to see, as they were then. */
  context: Record<string, string | undefined>;
  /** The `<Dockerfile>.dockerignore` beside the Dockerfile given to the build, if any. */
  ignoreFile?: string;
}

export class RecordingBuilder implements Builder {
  readonly info: BuilderInfo = { kind: 'docker', client: '/nonexistent/docker-not-used', version: '20.10.24', engine: '20.10.24' };
  readonly builds: RecordedBuild[] = [];

  /** `fails`: the step a build fails at, for the builds that fail (a failed build's answer, as the real builders give it). */
  constructor(private readonly o: { seconds?: (req: BuildRequest, n: number) => number; contextFiles?: string[]; fails?: (req: BuildRequest) => string | undefined } = {}) {}

  async build(req: BuildRequest): Promise<BuildOutcome> {
    const context: Record<string, string | undefined> = {};
    for (const f of this.o.contextFiles ?? []) context[f] = await readFile(path.join(req.contextDir, f), 'utf8').catch(() => undefined);
    const ignoreFile = await readFile(`${req.dockerfile}.dockerignore`, 'utf8').catch(() => undefined);
    this.builds.push({ platform: req.platform, target: req.target, buildArgs: { ...req.buildArgs }, contextDir: req.contextDir, dockerfile: await readFile(req.dockerfile, 'utf8'), context, ...(ignoreFile !== undefined ? { ignoreFile } : {}) });
    const wallSeconds = this.o.seconds?.(req, this.builds.length) ?? 10;
    const failedStep = this.o.fails?.(req);
    if (failedStep) {
      return { status: 'failed', wallSeconds, failedStep, error: 'exit code: 1', steps: [{ id: '#1', name: failedStep, status: 'error', seconds: wallSeconds - 1, internal: false }], logTail: ['#1 ERROR: process "/bin/sh -c make" did not complete successfully: exit code: 1'], log: '' };
    }
    return { status: 'ok', wallSeconds, steps: [{ id: '#1', name: `[stage 1/1] RUN build ${req.target ?? 'default'}`, status: 'done', seconds: wallSeconds - 1, internal: false }], logTail: [], log: '' };
  }
}
