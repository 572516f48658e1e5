/**
 * `go install` with GOBIN set (ENV GOBIN, a GOBIN= prefix, an export earlier in the RUN) fails
 * for every foreign target once the stage cross-compiles: Go refuses to install a cross-compiled
 * binary when GOBIN is set. Where one package with a known binary name is installed into a plain
 * GOBIN path, `go build -o <GOBIN>/<name>` writes the same file with the same build flags, so the
 * command becomes that; any other such install keeps its stage emulated (analysis.ts says why).
 */
import { replace, type Edit } from '../../src/edits/edit.ts';
import { gobinInstalls } from '../../src/dockerfile/gobin.ts';
import type { DockerfileRecipe } from '../../src/migrate/recipe.ts';

export const goInstallGobin: DockerfileRecipe = {
  id: 'go-install-gobin',
  title: 'Build a go install with GOBIN set as go build -o',
  phase: 1,
  fixes: ['go-install-gobin-cross'],
  partOf: ['compile-left-emulated'],
  apply({ analysis, facts }) {
    const edits: Edit[] = [];
    for (const f of analysis.facts.values()) {
      const compiles = facts.stageCompiles(f.stage);
      if (!f.crossCompile && !compiles.some((c) => c.cross)) continue;
      const sites = new Set(compiles.map((c) => c.command));
      for (const g of gobinInstalls(f.stage)) {
        if (!g.rewrite || !sites.has(g.command)) continue;
        edits.push(
          replace(
            g.rewrite.start,
            g.rewrite.end,
            g.rewrite.text,
            `go install with GOBIN=${g.gobin.value} fails cross-compiled (Go refuses GOBIN for a foreign binary): go build -o ${g.rewrite.output} writes the same file`,
          ),
        );
      }
    }
    return edits;
  },
};
