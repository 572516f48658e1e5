/**
 * P15: `GOARCH`/`GOOS` (and `GOARM`) forced for the old emulated build. On the build platform they
 * would override what `xx-go --wrap` sets for the target, so they are removed from the stages that
 * cross-compile: from `ENV` lines and from the compile commands' own `VAR=value` prefixes.
 */
import { deleteLines, replace, type Edit } from '../../src/edits/edit.ts';
import { editWordList } from '../../src/edits/words.ts';
import { removeCommand } from '../../src/edits/shell-edits.ts';
import type { ShellCommand, ShellWord } from '../../src/dockerfile/shell.ts';
import { buildPlatformStages } from '../../src/dockerfile/analysis.ts';
import { STALE_GO_VARS } from '../../src/dockerfile/stage-questions.ts';
// `GOARCH=$TARGETARCH` is cross-compiling already (Docker's guide does it so): not stale.
import { followsBuildMachine, followsTarget } from '../../src/dockerfile/env.ts';

/** A value that is no leftover of the emulated build: the target's (cross already), or the build machine's (a tool for the build, P7). */
const meant = (value: string) => followsTarget(value) || followsBuildMachine(value);
import type { DockerfileRecipe } from '../../src/migrate/recipe.ts';

/** `GOARCH=<the build machine's arch>` as one word of an export. */
const hostGoarch = (word: string) => word.startsWith('GOARCH=') && followsBuildMachine(word.slice(7));

const STALE = STALE_GO_VARS;

export const staleGoEnv: DockerfileRecipe = {
  id: 'stale-go-env',
  title: 'Remove GOARCH/GOOS forced for the emulated build from cross-compiling stages',
  phase: 1,
  fixes: ['stale-goarch'],
  partOf: ['compile-left-emulated'],
  apply({ model, analysis, source }) {
    const edits: Edit[] = [];
    const build = buildPlatformStages(analysis);
    for (const stage of model.stages) {
      if (!build.has(stage) || analysis.facts.get(stage)?.emulatedReason) continue;
      for (const instr of stage.instructions) {
        if (instr.keyword === 'ENV' || instr.keyword === 'ARG') {
          // The model's pairs: ARG may declare a name without a value (`ARG GOARCH`).
          const pairs = instr.env ?? stage.args.filter((a) => a.instruction === instr);
          if (pairs.length === 1 && instr.env?.[0]?.legacy) {
            // Legacy form `ENV GOARCH amd64`: one variable per instruction.
            const name = pairs[0]!.name;
            if (STALE.has(name)) edits.push(deleteLines(source, instr.line, instr.endLine, `${name} set for the emulated build would override the target that xx-go sets`));
            continue;
          }
          if (pairs.length === 0) continue;
          const stale = pairs.filter((p) => STALE.has(p.name) && !meant(source.text.slice(p.start, p.end)));
          if (stale.length === 0) continue;
          const names = stale.map((p) => p.name).join('/');
          if (stale.length === pairs.length) {
            edits.push(deleteLines(source, instr.line, instr.endLine, `${names} set for the emulated build would override the target that xx-go sets`));
            continue;
          }
          // The pairs as a word list: removing one keeps the layout of the others (continued
          // lines included) the way package lists keep theirs.
          const words: ShellWord[] = pairs.map((p) => {
            const raw = source.text.slice(p.start, p.end);
            return { raw, value: raw, start: p.start, end: p.end };
          });
          const pseudo = { args: words, nameWord: undefined, start: instr.start + instr.keywordRaw.length } as unknown as ShellCommand;
          const remove = words.filter((_, i) => STALE.has(pairs[i]!.name));
          edits.push(...editWordList(source.text, pseudo, words, remove, [], `${names} set for the emulated build would override the target that xx-go sets`));
          continue;
        }
        for (const cmd of instr.shell?.commands ?? []) {
          if (cmd.name === 'export' && instr.shell?.errorAt === undefined) {
            // `export GOOS=linux GOARCH=$(go env GOHOSTARCH)`: the RUN builds for the build machine on purpose.
            if (cmd.args.some((w) => hostGoarch(w.value))) continue;
            const stale = cmd.args.filter((w) => STALE.has(w.value.split('=')[0]!) && !meant(w.value));
            if (stale.length === 0) continue;
            const why = `export ${stale.map((w) => w.value.split('=')[0]).join(' ')} on the build platform would override the target that xx-go sets`;
            if (stale.length === cmd.args.length) {
              const e = removeCommand(source, instr, cmd, why);
              if (e) edits.push(e);
            } else edits.push(...editWordList(source.text, cmd, cmd.args, stale, [], why));
            continue;
          }
          if (cmd.assigns.some((a) => a.name === 'GOARCH' && followsBuildMachine(a.value))) continue;
          for (const a of cmd.assigns) {
            if (!STALE.has(a.name) || meant(a.value)) continue;
            let end = a.end;
            while (end < source.text.length && /[ \t]/.test(source.text[end]!)) end++;
            edits.push(replace(a.start, end, '', `${a.name}=${a.value} on the build platform would override the target that xx-go sets`));
          }
        }
      }
    }
    return edits;
  },
};
