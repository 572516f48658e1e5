/**
 * P15: `GOARCH`/`GOOS` (and `GOARM`) forced for the old emulated build. On the build platform they
 * would override what `xx-go --wrap` sets for the target, so they are removed from the stages that
 * cross-compile: from `ENV` lines and from the compile commands' own `VAR=value` prefixes.
 */
import { deleteLines, replace, type Edit } from '../../src/edits/edit.ts';
import { buildPlatformStages } from '../../src/dockerfile/analysis.ts';
import { STALE_GO_VARS } from '../../src/dockerfile/cross.ts';
import type { DockerfileRecipe } from '../../src/migrate/recipe.ts';

const STALE = STALE_GO_VARS;

export const staleGoEnv: DockerfileRecipe = {
  id: 'stale-go-env',
  title: 'Remove GOARCH/GOOS forced for the emulated build from cross-compiling stages',
  apply({ model, analysis, source }) {
    const edits: Edit[] = [];
    const build = buildPlatformStages(analysis);
    for (const stage of model.stages) {
      if (!build.has(stage) || analysis.facts.get(stage)?.emulatedReason) continue;
      for (const instr of stage.instructions) {
        if (instr.keyword === 'ENV') {
          const text = source.text.slice(instr.argsStart, instr.argsEnd);
          const pairs = [...text.matchAll(/(^|\s)([A-Za-z_][A-Za-z0-9_]*)(=("[^"]*"|'[^']*'|\S*))/g)];
          if (pairs.length === 0) {
            // Legacy form `ENV GOARCH amd64`: one variable per instruction.
            const name = text.trim().split(/\s+/)[0] ?? '';
            if (STALE.has(name)) edits.push(deleteLines(source, instr.line, instr.endLine, `${name} set for the emulated build would override the target that xx-go sets`));
            continue;
          }
          const stale = pairs.filter((p) => STALE.has(p[2]!));
          if (stale.length === 0) continue;
          if (stale.length === pairs.length) {
            edits.push(deleteLines(source, instr.line, instr.endLine, `${stale.map((p) => p[2]).join('/')} set for the emulated build would override the target that xx-go sets`));
            continue;
          }
          for (const p of stale) {
            const start = instr.argsStart + p.index! + p[1]!.length;
            let end = start + p[2]!.length + p[3]!.length;
            while (end < instr.argsEnd && /[ \t]/.test(source.text[end]!)) end++;
            if (source.text[end] === model.escapeChar && /^\r?\n/.test(source.text.slice(end + 1, end + 3))) {
              // `GOARCH=x \` on a line of its own: drop the whole continued line.
              end = source.text.indexOf('\n', end) + 1;
              const lineStart = source.text.lastIndexOf('\n', start - 1) + 1;
              if (/^\s*$/.test(source.text.slice(lineStart, start))) {
                edits.push(replace(lineStart, end, '', `${p[2]} set for the emulated build would override the target that xx-go sets`));
                continue;
              }
            }
            edits.push(replace(start, end, '', `${p[2]} set for the emulated build would override the target that xx-go sets`));
          }
          continue;
        }
        for (const cmd of instr.shell?.commands ?? []) {
          for (const a of cmd.assigns) {
            if (!STALE.has(a.name)) continue;
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
