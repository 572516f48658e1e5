/**
 * P6: after the compile, a path computed with `$(uname -m)` (the folder a build script wrote its
 * binaries to, say `bin/$(uname -m)/`) names the build machine's architecture once the stage
 * runs on the build platform. `xx-info march` gives the target's, in the same `uname -m` style
 * (x86_64, aarch64). `$(go env GOARCH)` needs nothing: after `xx-go --wrap` it is the target's.
 */
import { replace, type Edit } from '../../src/edits/edit.ts';
import { baseName } from '../../src/dockerfile/shell.ts';
import type { DockerfileRecipe } from '../../src/migrate/recipe.ts';

export const unameTargetArch: DockerfileRecipe = {
  id: 'uname-target-arch',
  title: 'Use the target machine name instead of uname -m after the compile',
  phase: 3,
  fixes: ['compile-left-emulated'],
  apply({ analysis }) {
    const edits: Edit[] = [];
    for (const f of analysis.facts.values()) {
      if (!f.crossCompile || f.compiles.length === 0) continue;
      const firstCompile = Math.min(...f.compiles.map((c) => c.instruction.index));
      for (const instr of f.stage.instructions) {
        if (instr.index < firstCompile) continue;
        for (const cmd of instr.shell?.commands ?? []) {
          if (baseName(cmd.name) !== 'uname' || !cmd.nested || cmd.args.map((a) => a.value).join(' ') !== '-m') continue;
          edits.push(replace(cmd.start, cmd.end, 'xx-info march', 'on the build platform uname -m is the build machine; xx-info march is the target architecture the binaries were built for'));
        }
      }
    }
    return edits;
  },
};
