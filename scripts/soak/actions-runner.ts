/**
 * A local runner for this repository's GitHub Actions workflows, faithful where the nightly
 * depends on it: jobs in the order `needs` gives, `if:` with status functions, a matrix expanded
 * as GitHub expands it (and refused above 256 jobs, as GitHub refuses it), job outputs from
 * $GITHUB_OUTPUT, `run:` steps with bash -eo pipefail, and the actions the nightly uses emulated
 * with their documented behaviour: artifacts as folders (an existing name refused without
 * `overwrite: true`), caches as immutable folders found by key then by restore-key prefix
 * (newest first), checkout as a copy of this repository. "Re-run failed jobs" re-runs the failed
 * jobs and those that need them, with the run's artifacts and the other jobs' outputs kept.
 *
 * Only what is listed here is emulated: an unknown action, context or function stops the run
 * with an error naming it, so a workflow change the soak cannot follow fails it instead of
 * passing unseen.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { condition, interpolate, stringify, type Contexts, type Status, type Value } from './expressions.ts';

/** GitHub's limit on the jobs one matrix may generate. */
export const GITHUB_MAX_MATRIX_JOBS = 256;

interface StepDef {
  name?: string;
  id?: string;
  if?: string | boolean;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  shell?: string;
  'working-directory'?: string;
  'continue-on-error'?: boolean;
}

interface JobDef {
  name?: string;
  needs?: string | string[];
  if?: string | boolean;
  'timeout-minutes'?: number;
  outputs?: Record<string, string>;
  strategy?: { 'fail-fast'?: boolean; 'max-parallel'?: unknown; matrix?: unknown };
  env?: Record<string, unknown>;
  steps: StepDef[];
}

interface WorkflowDef {
  name?: string;
  on: Record<string, { inputs?: Record<string, { type?: string; default?: unknown }> } | null>;
  env?: Record<string, unknown>;
  jobs: Record<string, JobDef>;
}

export type Conclusion = 'success' | 'failure' | 'cancelled' | 'skipped';

export interface StepResult {
  name: string;
  conclusion: Conclusion;
  exitCode?: number;
  /** The step's output (stdout and stderr together), as the log shows it. */
  log: string;
}

export interface JobResult {
  /** `migrate (rancher/image-build-alpha)` for a matrix leg. */
  key: string;
  jobId: string;
  matrix?: Record<string, Value>;
  conclusion: Conclusion;
  steps: StepResult[];
  outputs: Record<string, string>;
  attempt: number;
}

export interface RunResult {
  runId: number;
  attempt: number;
  conclusion: 'success' | 'failure';
  jobs: JobResult[];
  /** Why the run failed before or outside any step (a matrix GitHub refuses, say). */
  errors: string[];
  artifactsDir: string;
}

export interface RunOptions {
  workflowFile: string;
  event: 'schedule' | 'workflow_dispatch';
  /** Dispatch inputs as typed; defaults of the workflow fill the rest. A schedule has none. */
  inputs?: Record<string, Value>;
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  runId: number;
  /** The run's folder: job workspaces and artifacts. */
  runDir: string;
  /** The repository's caches (persist across runs). */
  cacheDir: string;
  /** The runner machine's environment (PATH, HOME, GITHUB_API_URL, GITHUB_SERVER_URL...). */
  machineEnv: NodeJS.ProcessEnv;
  /** Populate a fresh workspace the way actions/checkout leaves it. */
  checkout(workspace: string): void;
  /** Jobs running at once on this machine (GitHub's max-parallel still applies below it). */
  machineParallel?: number;
  /** Kill this step after this many milliseconds (a job that exceeds its timeout), or undefined. */
  killStepAfterMs?(job: { jobId: string; matrix?: Record<string, Value> }, step: string, attempt: number): number | undefined;
  /** A `run:` script the machine replaces (the soak: `npm ci`, whose node_modules it links), or undefined. */
  replaceRun?(script: string): string | undefined;
  /** Called when a step ends (for a log the caller keeps). */
  onStep?(job: string, step: StepResult): void;
}

const KNOWN_ACTIONS = ['actions/checkout', 'actions/setup-node', 'actions/upload-artifact', 'actions/download-artifact', 'actions/cache/restore', 'actions/cache/save', 'docker/setup-qemu-action', 'docker/setup-buildx-action'];

export function loadWorkflow(file: string): WorkflowDef {
  const wf = parse(readFileSync(file, 'utf8')) as WorkflowDef;
  if (!wf?.jobs) throw new Error(`${file}: no jobs`);
  for (const [id, job] of Object.entries(wf.jobs)) {
    for (const s of job.steps) {
      if (s.uses && !KNOWN_ACTIONS.includes(s.uses.replace(/@.*$/, ''))) throw new Error(`${file}: job ${id} uses ${s.uses}, which this runner does not emulate`);
    }
  }
  return wf;
}

function needsOf(job: JobDef): string[] {
  return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
}

function typedInputs(wf: WorkflowDef, event: RunOptions['event'], given: Record<string, Value> = {}): Record<string, Value> {
  if (event !== 'workflow_dispatch') return {};
  const defs = wf.on.workflow_dispatch?.inputs ?? {};
  const out: Record<string, Value> = {};
  for (const [k, d] of Object.entries(defs)) {
    const v = k in given ? given[k]! : ((d.default ?? (d.type === 'boolean' ? false : '')) as Value);
    out[k] = d.type === 'boolean' ? v === true || v === 'true' : d.type === 'number' ? Number(v) : stringify(v);
  }
  for (const k of Object.keys(given)) if (!(k in defs)) throw new Error(`workflow_dispatch has no input ${k}`);
  return out;
}

/** The matrix's combinations, as GitHub builds them: the product of the vectors, then `include`, minus `exclude`. */
export function expandMatrix(m: unknown): Record<string, Value>[] {
  if (m === null || typeof m !== 'object' || Array.isArray(m)) throw new Error(`the matrix is not an object: ${JSON.stringify(m)?.slice(0, 80)}`);
  const { include = [], exclude = [], ...vectors } = m as Record<string, Value[]>;
  let combos: Record<string, Value>[] = Object.keys(vectors).length ? [{}] : [];
  for (const [k, vs] of Object.entries(vectors)) {
    if (!Array.isArray(vs) || vs.length === 0) throw new Error(`Matrix vector '${k}' does not contain any values`);
    combos = combos.flatMap((c) => vs.map((v) => ({ ...c, [k]: v })));
  }
  const matches = (c: Record<string, Value>, e: Record<string, Value>) => Object.entries(e).every(([k, v]) => JSON.stringify(c[k]) === JSON.stringify(v));
  combos = combos.filter((c) => !(exclude as Record<string, Value>[]).some((e) => matches(c, e)));
  for (const inc of include as Record<string, Value>[]) {
    const base = Object.keys(vectors);
    const onto = combos.filter((c) => base.every((k) => !(k in inc) || JSON.stringify(inc[k]) === JSON.stringify(c[k])));
    if (base.length && onto.length) for (const c of onto) Object.assign(c, inc);
    else combos.push({ ...inc });
  }
  if (combos.length === 0) throw new Error('Matrix must define at least one vector');
  if (combos.length > GITHUB_MAX_MATRIX_JOBS) throw new Error(`Strategy matrix would generate ${combos.length} jobs, which exceeds the limit of ${GITHUB_MAX_MATRIX_JOBS}`);
  return combos;
}

/** `k=v` lines and `k<<DELIM` blocks, as the runner reads $GITHUB_OUTPUT. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, k, delim] = heredoc;
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) body.push(lines[i]!);
      if (i >= lines.length) throw new Error(`GITHUB_OUTPUT: no closing ${delim} for ${k}`);
      out[k!] = body.join('\n');
    } else if (line.includes('=')) {
      const at = line.indexOf('=');
      out[line.slice(0, at)] = line.slice(at + 1);
    } else if (line.trim()) throw new Error(`GITHUB_OUTPUT: invalid line ${line.slice(0, 80)}`);
  }
  return out;
}

function runBash(script: string, cwd: string, env: NodeJS.ProcessEnv, killAfterMs: number | undefined): Promise<{ code: number; log: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let log = '';
    let killed = false;
    child.stdout.on('data', (c) => (log += String(c)));
    child.stderr.on('data', (c) => (log += String(c)));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => {
      killed = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, killAfterMs);
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? 137, log, killed });
    });
  });
}

class CacheStore {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }
  private entries(): { key: string; at: number }[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(path.join(this.dir, f), 'utf8')) as { key: string; at: number });
  }
  private folder(key: string) {
    return path.join(this.dir, encodeURIComponent(key));
  }
  restore(key: string, restoreKeys: string[], dest: string): string | undefined {
    const all = this.entries().sort((a, b) => b.at - a.at);
    const hit = all.find((e) => e.key === key) ?? restoreKeys.map((p) => all.find((e) => e.key.startsWith(p))).find(Boolean);
    if (!hit) return undefined;
    rmSync(dest, { recursive: true, force: true });
    cpSync(this.folder(hit.key), dest, { recursive: true });
    return hit.key;
  }
  /** Caches are immutable: a key that exists is not saved again (GitHub warns, the step passes). */
  save(key: string, src: string): 'saved' | 'exists' | 'no-path' {
    if (!existsSync(src)) return 'no-path';
    if (existsSync(this.folder(key))) return 'exists';
    cpSync(src, this.folder(key), { recursive: true });
    writeFileSync(`${this.folder(key)}.json`, JSON.stringify({ key, at: Date.now() + Math.random() }));
    return 'saved';
  }
}

export class WorkflowRunner {
  private readonly wf: WorkflowDef;
  private readonly caches: CacheStore;
  private readonly artifacts: string;

  constructor(private readonly o: RunOptions) {
    this.wf = loadWorkflow(o.workflowFile);
    this.caches = new CacheStore(o.cacheDir);
    this.artifacts = path.join(o.runDir, 'artifacts');
    mkdirSync(this.artifacts, { recursive: true });
  }

  /** Attempt 1 of the run. */
  run(): Promise<RunResult> {
    return this.attempt(1, new Map());
  }

  /** "Re-run failed jobs": the failed jobs and every job that needs one, the rest kept. */
  rerunFailed(previous: RunResult): Promise<RunResult> {
    const failedIds = new Set(previous.jobs.filter((j) => j.conclusion === 'failure' || j.conclusion === 'cancelled').map((j) => j.jobId));
    const again = new Set(failedIds);
    for (let grew = true; grew; ) {
      grew = false;
      for (const [id, job] of Object.entries(this.wf.jobs)) if (!again.has(id) && needsOf(job).some((n) => again.has(n))) again.add(id) && (grew = true);
    }
    const kept = new Map<string, JobResult[]>();
    for (const j of previous.jobs) {
      if (!again.has(j.jobId)) kept.set(j.jobId, [...(kept.get(j.jobId) ?? []), j]);
      // Within a re-run matrix, the legs that passed are kept too: only failed legs run again.
      else if (j.matrix && j.conclusion === 'success' && failedIds.has(j.jobId)) kept.set(`${j.jobId}#legs`, [...(kept.get(`${j.jobId}#legs`) ?? []), j]);
    }
    return this.attempt(previous.attempt + 1, kept);
  }

  private async attempt(attempt: number, kept: Map<string, JobResult[]>): Promise<RunResult> {
    const inputs = typedInputs(this.wf, this.o.event, this.o.inputs);
    const results = new Map<string, JobResult[]>();
    const errors: string[] = [];
    const order = this.order();
    for (const id of order) {
      if (kept.has(id)) {
        results.set(id, kept.get(id)!);
        continue;
      }
      const job = this.wf.jobs[id]!;
      const needs: Record<string, Value> = {};
      for (const n of needsOf(job)) {
        const legs = results.get(n) ?? [];
        const result = legs.some((l) => l.conclusion === 'failure') ? 'failure' : legs.some((l) => l.conclusion === 'cancelled') ? 'cancelled' : legs.every((l) => l.conclusion === 'skipped') ? 'skipped' : 'success';
        needs[n] = { result, outputs: Object.assign({}, ...legs.map((l) => l.outputs)) as Record<string, Value> };
      }
      const needResults = Object.values(needs).map((n) => (n as { result: string }).result);
      const status: Status = { success: needResults.every((r) => r === 'success'), failure: needResults.some((r) => r === 'failure'), cancelled: false };
      const ctx = this.contexts(inputs, attempt, { needs });
      let run: boolean;
      try {
        run = condition(job.if, ctx, status);
      } catch (err) {
        errors.push(`job ${id}: ${(err as Error).message}`);
        run = false;
      }
      if (!run) {
        results.set(id, [{ key: id, jobId: id, conclusion: 'skipped', steps: [], outputs: {}, attempt }]);
        continue;
      }
      let legs: (Record<string, Value> | undefined)[] = [undefined];
      if (job.strategy?.matrix !== undefined) {
        try {
          const m = typeof job.strategy.matrix === 'string' ? interpolate(job.strategy.matrix, ctx) : (job.strategy.matrix as Value);
          legs = expandMatrix(m);
        } catch (err) {
          // GitHub fails the job (and so the run) without starting any leg.
          errors.push(`job ${id}: ${(err as Error).message}`);
          results.set(id, [{ key: id, jobId: id, conclusion: 'failure', steps: [], outputs: {}, attempt }]);
          continue;
        }
      }
      const keptLegs = kept.get(`${id}#legs`) ?? [];
      const maxParallel = Math.max(1, Math.min(Number(job.strategy?.['max-parallel'] !== undefined ? stringify(interpolate(String(job.strategy['max-parallel']), ctx)) : legs.length) || legs.length, this.o.machineParallel ?? 4));
      const out: JobResult[] = [];
      const queue = legs.map((m, i) => ({ m, i }));
      const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const same = keptLegs.find((k) => JSON.stringify(k.matrix) === JSON.stringify(next!.m));
          out[next.i] = same ?? (await this.job(id, job, next.m, next.i, inputs, attempt, needs));
        }
      };
      await Promise.all(Array.from({ length: maxParallel }, worker));
      results.set(id, out);
    }
    const jobs = order.flatMap((id) => results.get(id) ?? []);
    const conclusion = errors.length === 0 && jobs.every((j) => j.conclusion === 'success' || j.conclusion === 'skipped') ? 'success' : 'failure';
    return { runId: this.o.runId, attempt, conclusion, jobs, errors, artifactsDir: this.artifacts };
  }

  private order(): string[] {
    const done: string[] = [];
    const visit = (id: string, seen: string[]) => {
      if (done.includes(id)) return;
      if (seen.includes(id)) throw new Error(`jobs need each other: ${[...seen, id].join(' -> ')}`);
      if (!this.wf.jobs[id]) throw new Error(`a job needs ${id}, which does not exist`);
      for (const n of needsOf(this.wf.jobs[id]!)) visit(n, [...seen, id]);
      done.push(id);
    };
    for (const id of Object.keys(this.wf.jobs)) visit(id, []);
    return done;
  }

  private contexts(inputs: Record<string, Value>, attempt: number, extra: Contexts): Contexts {
    return {
      github: { event_name: this.o.event, run_id: String(this.o.runId), run_attempt: String(attempt), repository: 'rancher/image-build-migrator', event: {} },
      inputs,
      secrets: { ...(this.o.secrets ?? {}) },
      vars: { ...(this.o.vars ?? {}) },
      env: {},
      ...extra,
    };
  }

  private async job(id: string, def: JobDef, matrix: Record<string, Value> | undefined, leg: number, inputs: Record<string, Value>, attempt: number, needs: Record<string, Value>): Promise<JobResult> {
    const key = matrix ? `${def.name ? stringify(interpolate(def.name, this.contexts(inputs, attempt, { needs, matrix }))) : id} (${leg})` : (def.name ?? id);
    const home = path.join(this.o.runDir, `attempt-${attempt}`, matrix ? `${id}-${leg}` : id);
    const workspace = path.join(home, 'work');
    rmSync(home, { recursive: true, force: true });
    mkdirSync(workspace, { recursive: true });
    const steps: StepResult[] = [];
    const stepOutputs: Record<string, Value> = {};
    let failed = false;
    let cancelled = false;
    for (const [i, s] of def.steps.entries()) {
      const ctx = this.contexts(inputs, attempt, { needs, matrix: matrix ?? null, steps: stepOutputs, env: {} });
      const name = s.name ? stringify(interpolate(s.name, ctx)) : (s.uses ?? s.run?.split('\n')[0] ?? `step ${i + 1}`);
      const status: Status = { success: !failed && !cancelled, failure: failed, cancelled };
      if (!condition(s.if, ctx, status)) {
        steps.push({ name, conclusion: 'skipped', log: '' });
        continue;
      }
      const outputFile = path.join(home, `output-${i}`);
      writeFileSync(outputFile, '');
      // The runner creates both files before the step (@actions/core refuses a missing summary file).
      const summaryFile = path.join(home, `step-summary-${i}.md`);
      writeFileSync(summaryFile, '');
      const env: NodeJS.ProcessEnv = {
        ...this.o.machineEnv,
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_EVENT_NAME: this.o.event,
        GITHUB_RUN_ID: String(this.o.runId),
        GITHUB_RUN_ATTEMPT: String(attempt),
        GITHUB_WORKSPACE: workspace,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summaryFile,
        RUNNER_TEMP: path.join(home, 'tmp'),
      };
      for (const scope of [this.wf.env, def.env, s.env]) for (const [k, v] of Object.entries(scope ?? {})) env[k] = stringify(interpolate(String(v), { ...ctx, env: env as Record<string, Value> }));
      mkdirSync(env.RUNNER_TEMP!, { recursive: true });
      let r: StepResult;
      if (s.run !== undefined) {
        const cwd = s['working-directory'] ? path.resolve(workspace, stringify(interpolate(s['working-directory'], ctx))) : workspace;
        const killAfter = this.o.killStepAfterMs?.({ jobId: id, matrix }, name, attempt);
        const p = await runBash(this.o.replaceRun?.(s.run) ?? s.run, cwd, env, killAfter);
        r = { name, conclusion: p.killed ? 'cancelled' : p.code === 0 ? 'success' : 'failure', exitCode: p.code, log: p.log + (p.killed ? '\n##[error]The job has exceeded the maximum execution time and was cancelled.\n' : '') };
        if (p.killed) cancelled = true;
      } else {
        const w: Record<string, string> = {};
        for (const [k, v] of Object.entries(s.with ?? {})) w[k] = stringify(interpolate(String(v), ctx));
        r = { name, ...this.action(s.uses!, w, workspace) };
      }
      const outputs = parseOutputFile(readFileSync(outputFile, 'utf8'));
      if (s.id) stepOutputs[s.id] = { outputs, conclusion: r.conclusion, outcome: r.conclusion };
      if (r.conclusion === 'failure' && !s['continue-on-error']) failed = true;
      steps.push(r);
      writeFileSync(path.join(home, `step-${i}.log`), `${name}\n${r.log}`);
      this.o.onStep?.(key, r);
    }
    const outputs: Record<string, string> = {};
    for (const [k, v] of Object.entries(def.outputs ?? {})) outputs[k] = stringify(interpolate(v, this.contexts(inputs, attempt, { needs, matrix: matrix ?? null, steps: stepOutputs })));
    // A job cancelled by its timeout is a failed job on GitHub ("exceeded the maximum execution time").
    return { key, jobId: id, matrix, conclusion: failed || cancelled ? 'failure' : 'success', steps, outputs, attempt };
  }

  private action(uses: string, w: Record<string, string>, workspace: string): Omit<StepResult, 'name'> {
    const action = uses.replace(/@.*$/, '');
    const ok = (log: string) => ({ conclusion: 'success' as const, log });
    const fail = (log: string) => ({ conclusion: 'failure' as const, log: `##[error]${log}` });
    switch (action) {
      case 'actions/checkout':
        this.o.checkout(workspace);
        return ok('checked out');
      case 'actions/setup-node':
        // The soak runs on this machine's Node (the workflow asks for w['node-version']).
        return ok(`node ${process.version} (the workflow asks for ${w['node-version'] ?? 'any'})`);
      case 'docker/setup-qemu-action':
      case 'docker/setup-buildx-action':
        return ok('the runner machine provides the builder (the soak: a stand-in docker client)');
      case 'actions/upload-artifact': {
        const name = w.name || 'artifact';
        const paths = (w.path ?? '').split('\n').map((p) => p.trim()).filter(Boolean).map((p) => path.resolve(workspace, p));
        const found = paths.filter((p) => existsSync(p) && (statSync(p).isFile() || readdirSync(p).length > 0));
        const dest = path.join(this.artifacts, name);
        if (found.length === 0) {
          const mode = w['if-no-files-found'] || 'warn';
          if (mode === 'error') return fail(`No files were found with the provided path: ${w.path}. No artifacts will be uploaded.`);
          return ok(`No files were found with the provided path: ${w.path}. No artifacts will be uploaded.`);
        }
        if (existsSync(dest)) {
          if (w.overwrite !== 'true') return fail('Failed to CreateArtifact: Received non-retryable error: Failed request: (409) Conflict: an artifact with this name already exists on the workflow run');
          rmSync(dest, { recursive: true, force: true });
        }
        mkdirSync(dest, { recursive: true });
        for (const p of found) {
          if (statSync(p).isFile()) cpSync(p, path.join(dest, path.basename(p)));
          else cpSync(p, dest, { recursive: true });
        }
        return ok(`Artifact ${name} uploaded`);
      }
      case 'actions/download-artifact': {
        const into = path.resolve(workspace, w.path || '.');
        const names = existsSync(this.artifacts) ? readdirSync(this.artifacts) : [];
        if (w.name) {
          if (!names.includes(w.name)) return fail(`Unable to download artifact(s): Artifact not found for name: ${w.name}`);
          cpSync(path.join(this.artifacts, w.name), into, { recursive: true });
          return ok(`downloaded ${w.name}`);
        }
        const re = new RegExp(`^${(w.pattern ?? '*').replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
        const picked = names.filter((n) => re.test(n));
        mkdirSync(into, { recursive: true });
        for (const n of picked) cpSync(path.join(this.artifacts, n), w['merge-multiple'] === 'true' ? into : path.join(into, n), { recursive: true });
        return ok(`downloaded ${picked.length} artifact(s)`);
      }
      case 'actions/cache/restore': {
        const restoreKeys = (w['restore-keys'] ?? '').split('\n').map((k) => k.trim()).filter(Boolean);
        const hit = this.caches.restore(w.key!, restoreKeys, path.resolve(workspace, w.path!));
        return ok(hit ? `Cache restored from key: ${hit}` : `Cache not found for input keys: ${[w.key, ...restoreKeys].join(', ')}`);
      }
      case 'actions/cache/save': {
        const r = this.caches.save(w.key!, path.resolve(workspace, w.path!));
        return ok(r === 'saved' ? `Cache saved with key: ${w.key}` : r === 'exists' ? `Failed to save: Unable to reserve cache with key ${w.key}, another job may be creating this cache.` : 'Path Validation Error: Path(s) specified in the action for caching do(es) not exist, hence no cache is being saved.');
      }
      default:
        throw new Error(`${uses} is not emulated`);
    }
  }
}
