/**
 * A cross-compiled binary does not run on the build machine (P5): `RUN widgetd --version` after
 * the compile in a build-platform stage fails for every foreign target, unless guarded by
 * `if ! xx-info is-cross; then ...; fi`.
 */
import { compileOutputs } from '../../dockerfile/commands.ts';
import { baseName, type ShellCommand, type ShellScript } from '../../dockerfile/shell.ts';
import { lineage, type Stage } from '../../dockerfile/model.ts';
import { DOCS } from '../docs.ts';
import type { CompileInfo, ReviewContext } from '../context.ts';
import type { Rule } from '../rule.ts';

const GO_VALUE_FLAGS = new Set(['-o', '-ldflags', '-gcflags', '-asmflags', '-gccgoflags', '-tags', '-mod', '-modfile', '-p', '-buildmode', '-compiler', '-installsuffix', '-overlay', '-pkgdir', '-toolexec', '-pgo', '-C']);
/** Where make/script builds usually put their output, when the Dockerfile does not say. */
const OUTPUT_DIR = /^(\.\/)?(bin|_output|out|output|dist|build)\//;
const NOT_OUTPUTS = new Set(['go', 'make', 'file', 'install', 'cp', 'mv', 'strip', 'sh', 'bash', 'ls', 'chmod', 'test', '[']);

function lastSegment(p: string): string {
  return p.replace(/\/+$/, '').split('/').pop() ?? '';
}

/** Directories given to `-o dir/`: everything run from there is output. */
function outputDirs(c: CompileInfo): string[] {
  return compileOutputs(c.command).filter((o) => o.endsWith('/'));
}

/** Names the compile produces: `-o` files, else the packages' last path elements, else WORKDIR. */
function outputNames(c: CompileInfo): string[] {
  const explicit = compileOutputs(c.command).filter((o) => !o.endsWith('/')).map(lastSegment).filter(Boolean);
  if (explicit.length) return explicit;
  if (c.kind !== 'go-build' && c.kind !== 'go-build-script') return [];
  const args = c.command.args.map((a) => a.value);
  if (c.kind === 'go-build') args.splice(args.indexOf('build'), 1);
  const pkgs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const v = args[i]!;
    if (v.startsWith('-')) {
      if (GO_VALUE_FLAGS.has(v)) i++;
      continue;
    }
    pkgs.push(v);
  }
  const names = pkgs.filter((p) => !p.includes('...') && p !== '.').map(lastSegment).filter(Boolean);
  if (names.length || !pkgs.includes('.') && pkgs.length) return names;
  const workdir = lineage(c.stage).flatMap((s) => s.instructions).filter((i) => i.keyword === 'WORKDIR' && (i.stage !== c.stage || i.start < c.instruction.start)).pop();
  return workdir ? [lastSegment(workdir.args.trim())].filter((n) => n && !n.includes('$')) : [];
}

function guarded(script: ShellScript, cmd: ShellCommand): boolean {
  const st = cmd.statement;
  const inStatement = (x: { start: number }) => x.start >= st.start && x.start < st.end;
  if (script.commands.some((c) => inStatement(c) && baseName(c.name) === 'xx-info' && c.args.some((a) => a.value === 'is-cross'))) return true;
  const refs = script.varRefs.filter(inStatement).map((r) => r.name);
  return refs.some((n) => n.startsWith('TARGET')) && refs.some((n) => n.startsWith('BUILD'));
}

export const unguardedCrossBinaryRun: Rule = {
  id: 'unguarded-cross-binary-run',
  severity: 'warning',
  title: 'A cross-compiled binary is executed on the build platform',
  docs: DOCS.xxInfo,
  check(ctx: ReviewContext) {
    const cross = ctx.compiles().filter((c) => c.cross);
    if (cross.length === 0) return;
    for (const stage of ctx.model.stages) {
      if (!ctx.native(stage)) continue;
      const mine = cross.filter((c) => ctx.lineage(stage).includes(c.stage));
      if (mine.length === 0) continue;
      checkStage(ctx, stage, mine, this);
    }
  },
};

function checkStage(ctx: ReviewContext, stage: Stage, compiles: CompileInfo[], rule: Rule): void {
  const inherited = compiles.some((c) => c.stage !== stage);
  const firstHere = compiles.filter((c) => c.stage === stage).map((c) => c.command.end);
  const after = inherited ? -1 : Math.min(...firstHere);
  const names = new Set(compiles.flatMap(outputNames));
  const dirs = compiles.flatMap(outputDirs);
  const unknownOutputs = compiles.some((c) => c.kind === 'make' || c.kind === 'script') || names.size === 0;
  const message = (what: string) =>
    `"${what}" runs a binary cross-compiled in stage ${ctx.stageLabel(compiles[0]!.stage)} on the build machine: it fails (or is emulated) for every foreign target`;
  const hint = 'guard it with "if ! xx-info is-cross; then ...; fi", or run it in a stage on the target platform (e.g. the strip stage)';
  for (const instr of stage.instructions) {
    if (instr.execForm && instr.start > after) {
      const n = baseName(instr.execForm[0] ?? '');
      if (names.has(n)) ctx.report(rule, instr, message(instr.execForm.join(' ')), hint);
      continue;
    }
    if (!instr.shell) continue;
    for (const cmd of instr.shell.commands) {
      if (cmd.start <= after || !cmd.name) continue;
      const n = baseName(cmd.name);
      if (NOT_OUTPUTS.has(n) || n.startsWith('xx-') || n.endsWith('.sh')) continue;
      const hit = names.has(n) || dirs.some((d) => cmd.name.startsWith(d)) || (unknownOutputs && OUTPUT_DIR.test(cmd.name));
      if (!hit || guarded(instr.shell, cmd)) continue;
      ctx.report(rule, cmd, message([cmd.name, ...cmd.args.map((a) => a.raw)].join(' ')), hint);
    }
  }
}
