/**
 * Stages can be referenced by number (`COPY --from=1`, `RUN --mount=...,from=0`). A recipe that
 * inserts a stage shifts the numbers of every stage after it, so those references are rewritten
 * to keep pointing at the same stage.
 */
import type { DockerfileModel } from '../dockerfile/model.ts';
import { replace, type Edit } from './edit.ts';

/**
 * Edits that renumber numeric stage references after stages are inserted. `insertedBefore` holds,
 * for each new stage, the index of the old stage it is inserted in front of (stages.length for
 * the end of the file).
 */
export function renumberStageRefs(model: DockerfileModel, insertedBefore: number[]): Edit[] {
  const edits: Edit[] = [];
  if (insertedBefore.length === 0) return edits;
  for (const stage of model.stages) {
    for (const ref of stage.refs) {
      if (!/^\d+$/.test(ref.ref)) continue;
      const n = Number(ref.ref);
      const shift = insertedBefore.filter((i) => i <= n).length;
      if (shift === 0) continue;
      const flag = ref.instruction.flags.find((f) => (ref.kind === 'copy' ? f.name.toLowerCase() === 'from' : f.name.toLowerCase() === 'mount' && new RegExp(`(^|,)from=${n}(,|$)`).test(f.value)));
      if (!flag) continue;
      const text = model.source.text.slice(flag.start, flag.end);
      const m = ref.kind === 'copy' ? /=(\d+)$/.exec(text) : new RegExp(`(?:^|,)from=(${n})(?:,|$)`).exec(text);
      if (!m) continue;
      const at = flag.start + m.index + m[0].indexOf(m[1]!, m[0].indexOf('=') + 1);
      edits.push(replace(at, at + m[1]!.length, String(n + shift), `stage ${n} is stage ${n + shift} once the new stage is in place: the reference keeps pointing at the same stage`));
    }
  }
  return edits;
}
