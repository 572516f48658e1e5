/**
 * The workflow files and action.yml: valid for GitHub's own parser (@actions/workflow-parser),
 * every `run:` step calls an npm script or a file that exists with options the CLI defines, and
 * every input reaches the CLI. The check reads the YAML and the CLI's command definitions, so a
 * renamed option or a typo in a workflow fails here, not at 2 a.m.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parseAction } from '@actions/workflow-parser/actions/action-parser';
import type { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../src/cli.ts';

const root = path.resolve(import.meta.dirname, '../..');
const read = (rel: string) => readFileSync(path.join(root, rel), 'utf8');
const workflowFiles = ['.github/workflows', 'examples/workflows'].flatMap((d) => readdirSync(path.join(root, d)).filter((f) => /\.ya?ml$/.test(f)).map((f) => `${d}/${f}`));
const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);

interface Step { name?: string; id?: string; if?: string; run?: string; uses?: string; env?: Record<string, unknown>; with?: Record<string, unknown> }
interface Job { steps?: Step[]; strategy?: Record<string, unknown>; permissions?: unknown; if?: string; needs?: string | string[]; 'timeout-minutes'?: number; outputs?: Record<string, string> }
interface Workflow { on: Record<string, unknown>; jobs: Record<string, Job>; permissions?: unknown; concurrency?: { group: string; 'cancel-in-progress'?: boolean } }

let program: Command;
beforeAll(async () => {
  await main([], undefined, undefined, undefined, { inspect: (p) => (program = p) });
});

/** Shell lines of a run script with backslash continuations joined. */
function commandLines(run: string): string[] {
  return run.replace(/\\\n\s*/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

/** The CLI invocation on a line, as the words after the program: ['migrate', '--only', ...]. */
function cliWords(line: string): string[] | undefined {
  const npm = /\bnpm (?:--prefix \S+ )?run (migrate|review)\b(?: --(?= |$))?(.*)$/.exec(line);
  if (npm) return [npm[1]!, ...words(npm[2]!)];
  // tsx src/cli.ts, or the action's bundle of it (npm run build:action).
  const direct = /(?:src\/cli\.ts|dist\/review\.mjs)"? (.*)$/.exec(line);
  if (direct) return words(direct[1]!);
  return undefined;
}

function words(s: string): string[] {
  return s.split(/\s+/).map((w) => w.replace(/^["'{]+|["'}]+$/g, '').replace(/^\$\{\w+:\+/, '')).filter(Boolean);
}

/** Walk the CLI's command tree along the words; return the command reached and the flags used. */
function resolve(wordsOfLine: string[]): { command: Command; path: string[]; flags: string[] } {
  let command = program;
  const at: string[] = [];
  let i = 0;
  for (; i < wordsOfLine.length; i++) {
    const sub = command.commands.find((c) => c.name() === wordsOfLine[i]);
    if (!sub) break;
    command = sub;
    at.push(sub.name());
  }
  const rest = wordsOfLine.slice(i).join(' ');
  const flags = [...rest.matchAll(/(?:^|[\s"'+{])(--[a-z][a-z0-9-]*)/g)].map((m) => m[1]!);
  return { command, path: at, flags };
}

function definedFlags(command: Command): string[] {
  return [...command.options.map((o) => o.long!).filter(Boolean), '--help'];
}

interface RunStep { file: string; where: string; step: Step; env: Record<string, string> }

function runSteps(): RunStep[] {
  const out: RunStep[] = [];
  for (const file of workflowFiles) {
    const wf = parse(read(file)) as Workflow;
    for (const [id, job] of Object.entries(wf.jobs)) {
      for (const step of job.steps ?? []) if (step.run) out.push({ file, where: `${file} job ${id} step "${step.name ?? step.run.split('\n')[0]}"`, step, env: (step.env ?? {}) as Record<string, string> });
    }
  }
  // action.yml has no run steps: it is a JavaScript action (its inputs are checked below).
  return out;
}

describe('GitHub\'s parser accepts the workflow files and the action', () => {
  it.each(workflowFiles)('%s', (file) => {
    const r = parseWorkflow({ name: file, content: read(file) }, new NoOperationTraceWriter());
    expect(r.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    expect(r.value).toBeDefined();
  });

  it('action.yml', () => {
    const r = parseAction({ name: 'action.yml', content: read('action.yml') }, new NoOperationTraceWriter());
    expect(r.context.errors.getErrors().map((e) => e.message)).toEqual([]);
  });

  it('and refuses a broken one (the check can fail)', () => {
    const r = parseWorkflow({ name: 'bad.yml', content: 'on: push\njobs:\n  a:\n    runs-on: x\n    stepz: []\n' }, new NoOperationTraceWriter());
    expect(r.context.errors.getErrors().map((e) => e.message)).toEqual(["bad.yml (Line: 5, Col: 5): Unexpected value 'stepz'"]);
  });
});

describe('run: steps call what exists', () => {
  it('every npm script, file and CLI option named in a run: step exists', () => {
    const problems: string[] = [];
    let cliCalls = 0;
    for (const { where, step } of runSteps()) {
      for (const line of commandLines(step.run!)) {
        for (const m of line.matchAll(/\bnpm (?:--prefix \S+ )?run ([\w:-]+)/g)) if (!scripts.includes(m[1]!)) problems.push(`${where}: npm script "${m[1]}" does not exist`);
        for (const m of line.matchAll(/(?:^|[\s"'])(?:\$GITHUB_ACTION_PATH\/|\.\/)?((?:\.ci|scripts|src)\/[\w./-]+)/g)) if (!existsSync(path.join(root, m[1]!))) problems.push(`${where}: file ${m[1]} does not exist`);
        const cli = cliWords(line);
        if (!cli) continue;
        cliCalls++;
        const { command, path: at, flags } = resolve(cli);
        if (at.length === 0) problems.push(`${where}: "${line}" names no command of the CLI`);
        for (const f of flags) if (f !== '--' && !definedFlags(command).includes(f)) problems.push(`${where}: ${at.join(' ')} has no option ${f}`);
      }
    }
    expect(problems).toEqual([]);
    expect(cliCalls).toBeGreaterThanOrEqual(5);
  });

  it('the checker catches an unknown option, script and file', () => {
    expect(resolve(cliWords('npm run migrate -- report merge results --plan p.json --jsn x')!).flags).toContain('--jsn');
    const { command, path: at } = resolve(cliWords('npm run migrate -- report merge results --plan p.json')!);
    expect(at).toEqual(['migrate', 'report', 'merge']);
    expect(definedFlags(command)).not.toContain('--jsn');
    expect(definedFlags(command)).toContain('--plan');
    expect(resolve(cliWords('npm run migrate -- --only "$REPO" ${DRY_RUN:+--dry-run}')!).flags).toEqual(['--only', '--dry-run']);
    expect(scripts).not.toContain('migrat');
  });
});

describe('every input reaches the CLI', () => {
  /** Env variables of a step whose value mentions `inputs.NAME`. */
  function envOf(step: RunStep, input: string): string[] {
    return Object.entries(step.env).filter(([, v]) => new RegExp(`inputs\\.${input.replace(/-/g, '\\-')}\\b(?!-)`).test(String(v))).map(([k]) => k);
  }
  // Variables the CLI reads from its environment (src/platform/octokit.ts), not from its arguments.
  const CLI_ENV = new Set(['GITHUB_TOKEN', 'GITHUB_APP_ID', 'GITHUB_APP_INSTALLATION_ID', 'GITHUB_APP_PRIVATE_KEY']);
  function reachesCli(step: RunStep, vars: string[]): boolean {
    return commandLines(step.step.run!).some((l) => cliWords(l) && vars.some((v) => CLI_ENV.has(v) || new RegExp(`\\$\\{?${v}\\b`).test(l)));
  }

  const cases: [string, string[], Record<string, string>][] = [];
  for (const file of workflowFiles) {
    const wf = parse(read(file)) as Workflow;
    const inputs = (wf.on?.workflow_dispatch as { inputs?: Record<string, unknown> } | null)?.inputs ?? {};
    for (const name of Object.keys(inputs)) cases.push([file, [name], {}]);
  }

  // Inputs that configure the workflow itself rather than the bot, and where they must appear.
  const WORKFLOW_LEVEL: Record<string, (wf: Workflow) => boolean> = {
    'max-parallel': (wf) => String(wf.jobs.migrate?.strategy?.['max-parallel']).includes('inputs.max-parallel'),
  };

  it.each(cases)('%s: input %s', (file, [name]) => {
    if (file !== 'action.yml' && WORKFLOW_LEVEL[name!]) {
      expect(WORKFLOW_LEVEL[name!]!(parse(read(file)) as Workflow)).toBe(true);
      return;
    }
    const steps = runSteps().filter((s) => s.file === file);
    const reached = steps.filter((s) => reachesCli(s, envOf(s, name!)));
    expect(reached.map((s) => s.where), `input ${name} of ${file} is never passed to the CLI`).not.toEqual([]);
    // Inputs go through env, never spliced into the script (a value could be shell code).
    for (const s of steps) expect(s.step.run, s.where).not.toMatch(/\$\{\{\s*inputs\./);
  });

  // The JavaScript action reads its inputs in src/action/main.ts (getInput, from INPUT_*): every
  // declared input is read there, and nothing it reads is undeclared (that would always be '').
  it('action.yml: every input is read by src/action/main.ts, and it reads no other', () => {
    const action = parse(read('action.yml')) as { inputs: Record<string, unknown> };
    const read_ = [...read('src/action/main.ts').matchAll(/getInput\('([^']+)'\)/g)].map((m) => m[1]);
    expect(new Set(read_)).toEqual(new Set(Object.keys(action.inputs)));
  });

  it('the tracer says no for an input that only reaches echo', () => {
    const fake: RunStep = { file: 'x', where: 'x', step: { run: 'echo "$ONLY"\nnpm run migrate -- --dry-run' }, env: { ONLY: '${{ inputs.only }}' } };
    expect(reachesCli(fake, envOf(fake, 'only'))).toBe(false);
    expect(envOf(fake, 'only-not')).toEqual([]);
  });
});

describe('the nightly workflow', () => {
  const wf = parse(read('.github/workflows/nightly.yml')) as Workflow;

  it('runs on a schedule and by hand, never twice at once, with no permission it does not need', () => {
    expect(Object.keys(wf.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(Object.keys((wf.on.workflow_dispatch as { inputs: object }).inputs).sort()).toEqual(['dry-run', 'max-new-prs', 'max-parallel', 'only', 'timing']);
    expect(wf.concurrency?.group).toMatch(/^nightly-/);
    expect(wf.concurrency?.['cancel-in-progress']).toBe(false);
    expect(wf.permissions).toEqual({});
    for (const [id, job] of Object.entries(wf.jobs)) expect(job.permissions, id).toEqual({ contents: 'read' });
  });

  it('plan -> migrate (matrix, fail-fast off, QEMU + buildx, one result artifact per repository) -> summary (always)', () => {
    expect(Object.keys(wf.jobs)).toEqual(['plan', 'migrate', 'summary']);
    const m = wf.jobs.migrate!;
    expect(m.needs).toBe('plan');
    expect(m.strategy?.['fail-fast']).toBe(false);
    expect(m.strategy?.matrix).toBe('${{ fromJSON(needs.plan.outputs.matrix) }}');
    expect(wf.jobs.plan!.outputs?.matrix).toBe('${{ steps.matrix.outputs.matrix }}');
    const uses = m.steps!.map((s) => s.uses).filter(Boolean);
    expect(uses).toEqual(expect.arrayContaining(['docker/setup-qemu-action@v3', 'docker/setup-buildx-action@v3']));
    const upload = m.steps!.find((s) => s.uses?.startsWith('actions/upload-artifact'))!;
    expect(upload.if).toBe('always()');
    expect(upload.with?.name).toBe('result-${{ matrix.slug }}');
    const s = wf.jobs.summary!;
    expect(s.needs).toEqual(['plan', 'migrate']);
    expect(s.if).toContain('always()');
    expect(s.steps!.some((x) => x.with?.pattern === 'result-*')).toBe(true);
    expect(s.steps!.some((x) => x.run?.includes('report merge results --plan plan/plan-for-summary.json'))).toBe(true);
  });

  it('a re-run of failed jobs can upload again, and a failed or timed-out job keeps the timings it measured', () => {
    const steps = Object.values(wf.jobs).flatMap((j) => j.steps ?? []);
    const uploads = steps.filter((x) => x.uses?.startsWith('actions/upload-artifact'));
    expect(uploads.length).toBe(3);
    for (const u of uploads) expect(u.with?.overwrite, String(u.with?.name)).toBe(true);
    const m = wf.jobs.migrate!.steps!;
    const restore = m.findIndex((x) => x.uses?.startsWith('actions/cache/restore'));
    const run = m.findIndex((x) => x.name?.startsWith('Measure'));
    const save = m.findIndex((x) => x.uses?.startsWith('actions/cache/save'));
    expect(restore).toBeGreaterThanOrEqual(0);
    expect(restore).toBeLessThan(run);
    expect(save).toBeGreaterThan(run);
    expect(m[save]!.if).toBe('always()');
    expect(m[save]!.with?.key).toBe(m[restore]!.with?.key);
    // A second attempt of the same run saves under its own key: a cache key is written once.
    expect(String(m[save]!.with?.key)).toContain('github.run_attempt');
    expect(m.some((x) => x.uses?.startsWith('actions/cache@'))).toBe(false);
  });

  it("the App's key reaches only the mint steps; every other step gets a token minted for it, the migrate job's builds a read-only one and its delivery a write one minted after them", () => {
    const secretsIn = (step: Step) => JSON.stringify(step.env ?? {}) + JSON.stringify(step.with ?? {}) + (step.run ?? '');
    const MINTS: Record<string, { id: string; run: RegExp }[]> = {
      plan: [{ id: 'token', run: /^npm run migrate -- token --permissions contents:read,pull_requests:read,issues:read,metadata:read$/ }],
      migrate: [
        { id: 'read-token', run: /^npm run migrate -- token --repo "\$REPO" --permissions contents:read,metadata:read$/ },
        { id: 'write-token', run: /^npm run migrate -- token --repo "\$REPO" --permissions contents:write,pull_requests:write,issues:write,metadata:read,workflows:write\?$/ },
      ],
      summary: [{ id: 'token', run: /^npm run migrate -- token --dashboard-from repos\.yaml --permissions issues:write$/ }],
    };
    expect(Object.keys(wf.jobs)).toEqual(Object.keys(MINTS));
    for (const [id, job] of Object.entries(wf.jobs)) {
      const steps = job.steps ?? [];
      const mints = steps.filter((x) => x.name?.startsWith('Mint a token'));
      expect(mints.map((m) => m.id), id).toEqual(MINTS[id]!.map((m) => m.id));
      for (const [k, mint] of mints.entries()) {
        expect(String(mint.run).trim(), `${id} ${mint.id}`).toMatch(MINTS[id]![k]!.run);
        expect(mint.env, `${id} ${mint.id}`).toMatchObject({ GITHUB_APP_PRIVATE_KEY: '${{ secrets.MIGRATOR_APP_PRIVATE_KEY }}', GITHUB_APP_ID: '${{ vars.MIGRATOR_APP_ID }}', GITHUB_APP_INSTALLATION_ID: '${{ vars.MIGRATOR_APP_INSTALLATION_ID }}' });
      }
      for (const [i, step] of steps.entries()) {
        if (mints.includes(step)) continue;
        const where = `${id} step ${step.name ?? step.uses ?? step.run}`;
        expect(secretsIn(step), where).not.toMatch(/MIGRATOR_APP_PRIVATE_KEY|GITHUB_APP_/);
        const token = step.env?.GITHUB_TOKEN;
        if (token === undefined) continue;
        // Every credentialed step comes after a mint and takes a minted token (MIGRATOR_TOKEN only as the fallback).
        const before = mints.filter((m) => steps.indexOf(m) < i).map((m) => m.id!);
        expect(before.length, where).toBeGreaterThan(0);
        expect(token, where).toMatch(/^\$\{\{ (steps\.[a-z-]+\.outputs\.token \|\| )+secrets\.MIGRATOR_TOKEN \}\}$/);
        for (const used of String(token).match(/steps\.([a-z-]+)\.outputs/g)!) expect(before, where).toContain(used.split('.')[1]);
      }
    }
    // The builds (the measuring step) never see a token that writes; the delivering step builds nothing.
    const m = wf.jobs.migrate!.steps!;
    const measure = m.find((x) => x.name?.startsWith('Measure'))!;
    const deliver = m.find((x) => x.name?.startsWith('Migrate'))!;
    expect(measure.env?.GITHUB_TOKEN).toBe('${{ steps.read-token.outputs.token || secrets.MIGRATOR_TOKEN }}');
    expect(measure.run).toContain('--measure-only');
    expect(measure.run).toContain('--timing ');
    expect(deliver.run).not.toMatch(/--timing(?!-from)/);
    expect(deliver.run).toContain('--timing-from "measured/$SLUG.json"');
    expect(m.indexOf(m.find((x) => x.id === 'write-token')!)).toBeGreaterThan(m.indexOf(measure));
  });

  it('ci.yml keeps running .ci/run', () => {
    const ci = parse(read('.github/workflows/ci.yml')) as Workflow;
    expect(Object.values(ci.jobs).flatMap((j) => j.steps ?? []).some((s) => s.run === '.ci/run')).toBe(true);
  });
});
