/**
 * The soak's local Actions runner (scripts/soak/actions-runner.ts) and its expressions: where it
 * must behave as GitHub does for the soak to mean anything — `&&`/`||` giving operands, loose
 * `==`, status functions, a matrix above 256 jobs refused, an artifact name uploaded twice
 * refused without `overwrite`, caches immutable and found by prefix, "Re-run failed jobs"
 * running only the failed legs and what needs them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluate, condition, interpolate } from '../../scripts/soak/expressions.ts';
import { expandMatrix, parseOutputFile, WorkflowRunner, GITHUB_MAX_MATRIX_JOBS } from '../../scripts/soak/actions-runner.ts';
import { removeDir, tempDir } from '../helpers/repos.ts';

const ok = { success: true, failure: false, cancelled: false };

describe('expressions', () => {
  it('&& and || give an operand, as in the nightly\'s DRY_RUN and TIMING', () => {
    expect(evaluate("inputs.dry-run && 'yes' || ''", { inputs: { 'dry-run': true } })).toBe('yes');
    expect(evaluate("inputs.dry-run && 'yes' || ''", { inputs: {} })).toBe('');
    const timing = "(github.event_name != 'workflow_dispatch' || inputs.timing) && 'yes' || ''";
    expect(evaluate(timing, { github: { event_name: 'schedule' }, inputs: {} })).toBe('yes');
    expect(evaluate(timing, { github: { event_name: 'workflow_dispatch' }, inputs: { timing: false } })).toBe('');
    expect(evaluate('fromJSON(inputs.max-parallel || 8)', { inputs: {} })).toBe(8);
  });
  it('== compares loosely and strings ignore case; unknown names are errors', () => {
    expect(evaluate("needs.plan.outputs.count != '0'", { needs: { plan: { outputs: { count: '0' } } } })).toBe(false);
    expect(evaluate("needs.plan.outputs.count != '0'", { needs: { plan: { outputs: { count: '3' } } } })).toBe(true);
    expect(evaluate("1 == '1'", {})).toBe(true);
    expect(evaluate("'Success' == 'success'", {})).toBe(true);
    expect(() => evaluate('hashFiles(\'x\')', {})).toThrow(/unknown function hashFiles/);
    expect(() => evaluate('nope.x', {})).toThrow(/unknown context 'nope'/);
  });
  it('if: adds success() unless a status function is called', () => {
    const ctx = { needs: { plan: { result: 'success' } } };
    expect(condition("needs.plan.result == 'success'", ctx, { success: false, failure: true, cancelled: false })).toBe(false);
    expect(condition("always() && needs.plan.result == 'success'", ctx, { success: false, failure: true, cancelled: false })).toBe(true);
    expect(condition(undefined, ctx, ok)).toBe(true);
    expect(interpolate('result-${{ matrix.slug }}', { matrix: { slug: 'a--b' } })).toBe('result-a--b');
  });
});

describe('matrix and outputs', () => {
  it('include-only matrices make one job per entry; above 256 GitHub refuses the matrix', () => {
    expect(expandMatrix({ include: [{ repo: 'a' }, { repo: 'b' }] })).toEqual([{ repo: 'a' }, { repo: 'b' }]);
    expect(expandMatrix({ os: ['x', 'y'], n: [1, 2], exclude: [{ os: 'x', n: 2 }] })).toHaveLength(3);
    expect(() => expandMatrix({ include: Array.from({ length: GITHUB_MAX_MATRIX_JOBS + 1 }, (_, i) => ({ i })) })).toThrow(/exceeds the limit of 256/);
    expect(() => expandMatrix({ include: [] })).toThrow(/at least one vector/);
  });
  it('reads GITHUB_OUTPUT lines and heredocs', () => {
    expect(parseOutputFile('a=1\nm<<EOF\n{"x":\n1}\nEOF\n')).toEqual({ a: '1', m: '{"x":\n1}' });
  });
});

describe('a workflow run', () => {
  const dir = tempDir('ibm-runner-');
  afterAll(() => removeDir(dir));
  const workflow = (name: string, yaml: string) => {
    const f = path.join(dir, `${name}.yml`);
    writeFileSync(f, yaml);
    return f;
  };
  const runner = (file: string, runId: number, extra: Partial<ConstructorParameters<typeof WorkflowRunner>[0]> = {}) =>
    new WorkflowRunner({ workflowFile: file, event: 'schedule', runId, runDir: path.join(dir, `run-${runId}`), cacheDir: path.join(dir, 'cache'), machineEnv: { PATH: process.env.PATH }, checkout: (ws) => mkdirSync(ws, { recursive: true }), ...extra });

  const fanOut = `on: { schedule: [{ cron: '0 0 * * *' }] }
jobs:
  plan:
    runs-on: ubuntu-latest
    outputs: { matrix: '\${{ steps.m.outputs.matrix }}' }
    steps:
      - id: m
        run: echo 'matrix={"include":[{"n":"a"},{"n":"b"},{"n":"c"}]}' >> "$GITHUB_OUTPUT"
  work:
    needs: plan
    strategy: { matrix: '\${{ fromJSON(needs.plan.outputs.matrix) }}' }
    runs-on: ubuntu-latest
    steps:
      - env: { N: '\${{ matrix.n }}' }
        run: |
          mkdir -p out && echo "$N" > "out/$N.txt"
          echo "$N \${GITHUB_RUN_ATTEMPT}" >> "$LOG"
          test "$N" != b || test -e "$FLAG"
      - uses: actions/upload-artifact@v4
        if: always()
        with: { name: 'out-\${{ matrix.n }}', path: out/ }
  sum:
    needs: work
    if: always()
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@v4
        with: { pattern: 'out-*', path: got }
      - run: ls got > "$LIST"
`;

  it('a failed leg fails the run; "Re-run failed jobs" runs that leg and what needs it, and the second upload without overwrite is refused', async () => {
    const log = path.join(dir, 'legs.log');
    const flag = path.join(dir, 'flag');
    const list = path.join(dir, 'list');
    const r = runner(workflow('fan', fanOut), 1, { machineEnv: { PATH: process.env.PATH, LOG: log, FLAG: flag, LIST: list } });
    const first = await r.run();
    expect(first.conclusion).toBe('failure');
    expect(first.jobs.filter((j) => j.jobId === 'work').map((j) => j.conclusion)).toEqual(['success', 'failure', 'success']);
    expect(readFileSync(list, 'utf8').split('\n').filter(Boolean)).toEqual(['out-a', 'out-b', 'out-c']);
    writeFileSync(flag, '');
    const second = await r.rerunFailed(first);
    // Leg b ran again and its upload of out-b (already there from attempt 1) is refused: 409.
    expect(readFileSync(log, 'utf8').trim().split('\n').sort()).toEqual(['a 1', 'b 1', 'b 2', 'c 1']);
    const b = second.jobs.find((j) => j.jobId === 'work' && j.matrix?.n === 'b')!;
    expect(b.steps[1]!.conclusion).toBe('failure');
    expect(b.steps[1]!.log).toMatch(/\(409\) Conflict: an artifact with this name already exists/);
    expect(second.conclusion).toBe('failure');
  });

  it('with overwrite: true the re-run passes', async () => {
    const flag = path.join(dir, 'flag2');
    const r = runner(workflow('fan2', fanOut.replace("path: out/ }", "path: out/, overwrite: true }")), 2, { machineEnv: { PATH: process.env.PATH, LOG: path.join(dir, 'l2'), FLAG: flag, LIST: path.join(dir, 'list2') } });
    const first = await r.run();
    writeFileSync(flag, '');
    expect((await r.rerunFailed(first)).conclusion).toBe('success');
  });

  it('caches: exact key first, else the newest by restore-key prefix; a key is never saved twice', async () => {
    const wf = workflow('cache', `on: { schedule: [{ cron: '0 0 * * *' }] }
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/cache/restore@v4
        with: { path: c, key: 'k-\${{ github.run_id }}', restore-keys: 'k-' }
      - run: mkdir -p c && cat c/v 2>/dev/null > "$SEEN" || true; echo "$RUN" > c/v
      - uses: actions/cache/save@v4
        with: { path: c, key: 'k-\${{ github.run_id }}' }
`);
    const seen = path.join(dir, 'seen');
    for (const id of [11, 12, 13]) {
      const res = await runner(wf, id, { machineEnv: { PATH: process.env.PATH, SEEN: seen, RUN: String(id) } }).run();
      expect(res.conclusion).toBe('success');
      expect(readFileSync(seen, 'utf8').trim()).toBe(id === 11 ? '' : String(id - 1));
    }
    const again = await runner(wf, 13, { machineEnv: { PATH: process.env.PATH, SEEN: seen, RUN: 'x' } }).run();
    expect(readFileSync(seen, 'utf8').trim()).toBe('13');
    expect(again.jobs[0]!.steps[2]!.log).toMatch(/Unable to reserve cache with key k-13/);
  });

  it('a killed step cancels the job; always() steps still run and the job fails', async () => {
    const marker = path.join(dir, 'after-kill');
    const wf = workflow('kill', `on: { schedule: [{ cron: '0 0 * * *' }] }
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - name: long
        run: sleep 30
      - name: plain
        run: echo no > "$M.plain"
      - name: always
        if: always()
        run: echo yes > "$M"
`);
    const res = await runner(wf, 21, { machineEnv: { PATH: process.env.PATH, M: marker }, killStepAfterMs: (_j, step) => (step === 'long' ? 200 : undefined) }).run();
    expect(res.jobs[0]!.conclusion).toBe('failure');
    expect(res.jobs[0]!.steps.map((s) => s.conclusion)).toEqual(['cancelled', 'skipped', 'success']);
    expect(existsSync(marker)).toBe(true);
    expect(existsSync(`${marker}.plain`)).toBe(false);
  });

  it('an action it does not emulate stops the run before anything runs', () => {
    const wf = workflow('unknown', `on: { schedule: [{ cron: '0 0 * * *' }] }\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: some/other-action@v1\n`);
    expect(() => runner(wf, 31)).toThrow(/uses some\/other-action@v1, which this runner does not emulate/);
  });
});
