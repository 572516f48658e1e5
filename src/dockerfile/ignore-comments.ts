/**
 * `# image-build-migrator ignore=<rule>[,<rule>...] <reason>`: a maintainer silences findings of
 * those rules on the instruction right below the comment (as hadolint's `# hadolint ignore=DL3006`
 * does), and the migration leaves that instruction to them for those rules. The comment belongs
 * to the next instruction: only comment lines may stand between them.
 */
import type { DockerfileModel, Instruction } from './model.ts';

export const IGNORE_PREFIX = 'image-build-migrator';

export interface IgnoreComment {
  /** 1-based line of the comment. */
  line: number;
  /** The rule ids named, as written (lower case). */
  rules: string[];
  reason: string;
  /** The instruction it silences. */
  instruction: Instruction;
}

const COMMENT = /^#\s*image-build-migrator\s+ignore=([A-Za-z0-9_,-]*)\s*(.*)$/;

/** Every ignore comment of the file, each with the instruction it applies to; cached per model. */
export function ignoreComments(model: DockerfileModel): IgnoreComment[] {
  const cached = cache.get(model);
  if (cached) return cached;
  const out: IgnoreComment[] = [];
  const { source } = model;
  for (const instruction of model.instructions) {
    for (let line = instruction.line - 1; line >= 1; line--) {
      const text = source.lineText(line).trim();
      if (!text.startsWith('#')) break;
      const m = COMMENT.exec(text);
      if (m) out.push({ line, rules: m[1]!.split(',').map((r) => r.trim().toLowerCase()).filter(Boolean), reason: m[2]!.trim(), instruction });
    }
  }
  out.sort((a, b) => a.line - b.line);
  cache.set(model, out);
  return out;
}

const cache = new WeakMap<DockerfileModel, IgnoreComment[]>();

/** Is `rule` silenced at 1-based `line` (a line of the instruction an ignore comment names it for)? */
export function isIgnored(model: DockerfileModel, rule: string, line: number): boolean {
  return ignoreComments(model).some((c) => c.rules.includes(rule) && line >= c.instruction.line && line <= c.instruction.endLine);
}
