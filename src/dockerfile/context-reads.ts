/**
 * What a build of a Dockerfile reads from its build context: the sources of every COPY/ADD that
 * does not copy from a stage or image, and every bind mount of a RUN that does not mount one
 * (`--mount=type=bind` is the default type; without `source` it mounts the whole context). The
 * timing digest hashes only these, so a README the build never reads does not force a rebuild.
 */
import { copySources } from './copy.ts';
import type { DockerfileModel, Instruction, Stage } from './model.ts';

export interface ContextReads {
  /** Context-relative source paths or patterns as written (`.` is the whole context). */
  sources: string[];
  /** A source the build computes (`COPY ${SRC} .`): only the whole context is a safe answer. */
  whole: boolean;
}

/**
 * With a target (default: the last stage, as BuildKit builds it), only the stages that target
 * needs are read: itself, its bases and what it copies or mounts from, transitively. A stage or
 * reference the model cannot resolve (`FROM ${BASE}` without a default, `--from=${STAGE}`) could
 * be any stage, so then every stage counts.
 */
export function contextReads(model: DockerfileModel, target?: string): ContextReads {
  const sources: string[] = [];
  let whole = false;
  const add = (src: string) => {
    if (/\$/.test(src)) whole = true;
    else sources.push(src);
  };
  for (const stage of neededStages(model, target)) {
    for (const instr of stage.instructions) {
      if (instr.keyword === 'COPY' || instr.keyword === 'ADD') {
        if (instr.flags.some((f) => f.name.toLowerCase() === 'from')) continue;
        // A URL or git source is fetched, not read from the context.
        for (const src of copiedFromContext(instr)) if (!(instr.keyword === 'ADD' && isRemote(src))) add(src);
      }
      if (instr.keyword === 'RUN') {
        for (const f of instr.flags) {
          if (f.name.toLowerCase() !== 'mount') continue;
          const opts = mountOptions(f.value);
          if ((opts.get('type') ?? 'bind') !== 'bind' || opts.has('from')) continue;
          add(opts.get('source') ?? opts.get('src') ?? '.');
        }
      }
    }
  }
  return { sources, whole };
}

function neededStages(model: DockerfileModel, target?: string): Stage[] {
  const root = target === undefined ? model.stages.at(-1) : model.stageByRef(target);
  if (!root) return model.stages;
  const seen = new Set<Stage>();
  const visit = (s: Stage): boolean => {
    if (seen.has(s)) return true;
    seen.add(s);
    // `FROM ${GO_IMAGE}` whose default is an image is an image; one that is unresolved or names a stage could be any stage.
    if (/\$/.test(s.image) && !s.base && (/\$/.test(s.resolvedImage) || model.stageByRef(s.resolvedImage, s.index))) return false;
    if (s.base && !visit(s.base)) return false;
    for (const r of s.refs) {
      if (r.stage) {
        if (!visit(r.stage)) return false;
      } else if (/\$/.test(r.ref)) return false;
    }
    return true;
  };
  return visit(root) ? model.stages.filter((s) => seen.has(s)) : model.stages;
}

/**
 * The sources of a COPY/ADD; with a heredoc (`COPY <<EOF /etc/app.conf`) the body is no source:
 * only the first line's words that are not `<<NAME` markers, the last of them the destination.
 */
function copiedFromContext(instr: Instruction): string[] {
  const first = instr.args.trim().split('\n')[0]!;
  if (!/(^|\s)<<-?["']?[A-Za-z_]/.test(first)) return copySources(instr);
  return first.split(/\s+/).filter(Boolean).slice(0, -1).filter((w) => !w.startsWith('<<'));
}

function isRemote(src: string): boolean {
  return /^(https?|git|ssh):\/\//i.test(src) || /^[\w.-]+@[\w.-]+:/.test(src);
}

/** `type=bind,source=go.sum,target=/src/go.sum` as a map (a bare key is `key=true`). */
function mountOptions(value: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (key) out.set(key, eq < 0 ? 'true' : part.slice(eq + 1).trim().replace(/^["']|["']$/g, ''));
  }
  return out;
}
