/**
 * Target shape 5, P6, P7: `xx-go --wrap && ` goes in front of the compile, in the same RUN. The
 * wrap writes the target's GOOS/GOARCH into the stage's go env, so any `go install`, `go generate`
 * or `go run` after it would build for the target and its tool would no longer run here: the wrap
 * goes after the last such native step. `xx-go --wrap` is always followed by `&&`, never by a
 * bare line continuation (which would make the next command its argument).
 */
import { replace, type Edit } from '../../src/edits/edit.ts';
import { lineage, type Stage } from '../../src/dockerfile/model.ts';
import { makeMixesCodegen, swallowedByWrap } from '../../src/dockerfile/commands.ts';
import { runsCheckoutMakefile } from '../../src/dockerfile/gobin.ts';
import type { CommandSite, StageFacts } from '../../src/dockerfile/analysis.ts';
import { UnsafeMigrationError, type DockerfileRecipe, type RecipeContext } from '../../src/migrate/recipe.ts';

export const xxGoWrap: DockerfileRecipe = {
  id: 'xx-go-wrap',
  title: 'Wrap the Go compile with xx-go',
  phase: 3,
  fixes: ['compile-left-emulated', 'cross-setup-missing', 'xx-go-wrap-swallows-command'],
  apply(ctx) {
    const edits: Edit[] = [];
    // Stages wrapped here (parents come first): a stage built FROM one inherits its go env.
    const wrapped = new Set<Stage>();
    for (const f of ctx.analysis.facts.values()) {
      if (!f.crossCompile) continue;
      if (lineage(f.stage).slice(1).some((s) => wrapped.has(s))) continue;
      const e = wrap(ctx, f);
      if (e) {
        edits.push(e);
        wrapped.add(f.stage);
      }
    }
    return edits;
  },
};

const order = (s: CommandSite) => s.instruction.index * 1e7 + s.command.start;

function wrap(ctx: RecipeContext, f: StageFacts): Edit | undefined {
  const stage = f.stage;
  // Spec item 5's bug: `xx-go --wrap \` + newline + command. Give the wrap its `&&` back.
  const broken = f.wraps.find((w) => swallowedByWrap(w.command));
  if (broken) {
    const flag = broken.command.args[0]!;
    return replace(flag.end, flag.end, ' &&', `"xx-go --wrap" followed by a line continuation made "${broken.command.args[1]!.value}" its argument, so it never ran: "&&" separates them`);
  }
  const compiles = [...f.compiles].sort((a, b) => order(a) - order(b));
  const first = compiles[0];
  if (!first) return undefined;
  // An earlier wrap in this stage or a parent stage already applies (it lives in the go env file).
  const ancestorsWrapped = lineage(stage).slice(1).some((s) => (ctx.analysis.facts.get(s)?.wraps.length ?? 0) > 0);
  const wrapsBefore = f.wraps.filter((w) => order(w) <= order(first));
  if (first.command.name === 'xx-go') return undefined;
  if (ancestorsWrapped || wrapsBefore.length > 0) return undefined;
  // Tests that run before the compile are native steps too: the wrap goes after them.
  const natives = [...f.nativeGo, ...f.tests.filter((t) => order(t) < order(first))];
  const lastNative = natives.sort((a, b) => order(b) - order(a))[0];
  if (lastNative && order(first) < order(lastNative)) {
    throw new UnsafeMigrationError(
      `the compile at line ${ctx.originalLine(first.instruction.line)} runs before the native Go step at line ${ctx.originalLine(lastNative.instruction.line)} ("${lastNative.command.name} ${lastNative.command.args[0]?.value ?? ''}"); no single place for xx-go --wrap builds both right`,
      first.instruction.line,
      'move code generation (go install/generate/run) before the compile, then run the migration again',
    );
  }
  const target = lastNative ? compiles.find((c) => order(c) > order(lastNative)) : first;
  if (!target) return undefined;
  const cmd = target.command;
  const goInstall = f.compiles.find((c) => c.kind === 'go-install');
  if (goInstall) {
    throw new UnsafeMigrationError(
      `line ${ctx.originalLine(goInstall.instruction.line)}: "go install" of the repository's own package puts a cross-compiled binary in $GOPATH/bin/linux_<arch>/, a different path for each platform`,
      goInstall.instruction.line,
      'build it with "go build -o $GOPATH/bin/<name> <package>" instead, then run the migration again',
    );
  }
  if (makeMixesCodegen(cmd)) {
    throw new UnsafeMigrationError(
      `line ${ctx.originalLine(target.instruction.line)}: "${cmd.name} ${cmd.args.map((a) => a.value).join(' ')}" generates code and compiles in one call: the generators must run natively, the compile cross`,
      target.instruction.line,
      'split it into two make calls (generation first), then run the migration again',
    );
  }
  if (target.instruction.shell?.errorAt !== undefined) {
    throw new UnsafeMigrationError(`the shell command at line ${ctx.originalLine(target.instruction.line)} does not parse`, target.instruction.line, 'fix the RUN syntax first');
  }
  const st = cmd.statement;
  let at = st.elements[0]?.start ?? st.start;
  if (lastNative && lastNative.instruction === target.instruction && lastNative.command.statement.start === st.start) {
    // Native step earlier in the same && list: wrap right after it.
    const k = cmd.nested ? -1 : cmd.element;
    const native = st.elements.findIndex((e) => e.start <= lastNative.command.start && lastNative.command.end <= e.end);
    const m = native + 1;
    if (k < 0 || m > k || st.elements[m]?.op !== '&&') {
      throw new UnsafeMigrationError(
        `line ${ctx.originalLine(target.instruction.line)}: the compile and a native Go step share one shell statement in a way that cannot be wrapped safely`,
        target.instruction.line,
        'split the native step and the compile with && or into separate RUNs',
      );
    }
    at = st.elements[m]!.start;
  }
  const label = cmd.name === 'go' || /^g?make$/.test(cmd.name) ? [cmd.name, ...cmd.args.slice(0, 1).map((a) => a.value)].join(' ') : cmd.name;
  // What a Makefile or script the bot cannot read runs is not known to cross-compile (a
  // `go install` with GOBIN set there fails for every foreign target): the reason says so.
  const unseen =
    target.kind === 'script'
      ? `the script "${cmd.name}" is not read here`
      : target.kind === 'make' && !runsCheckoutMakefile(stage, target.instruction, cmd, ctx.facts.input.makefile)
        ? 'its Makefile is not in the build context'
        : undefined;
  const why = unseen
    ? `xx-go --wrap makes every go call of "${label}" build for the target platform; ${unseen}, so nothing checked that it cross-compiles (a go install with GOBIN set would fail): build every platform once`
    : `xx-go --wrap makes "${label}" compile for the target platform (GOOS/GOARCH/CC from TARGETPLATFORM) while running natively`;
  return replace(at, at, 'xx-go --wrap && ', why);
}
