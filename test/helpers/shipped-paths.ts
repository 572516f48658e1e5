/**
 * The paths a final stage ships, read from the Dockerfile alone, for tests that compare an image
 * before and after the migration.
 */
import path from 'node:path';
import type { DockerfileModel } from '../../src/dockerfile/model.ts';

/**
 * What a final stage ships under the paths it copies: the base image's own files there (as
 * "<image>:<folder>"), files the stage lineage installs or copies in, and the clang/clang++
 * links `xx-go --wrap` leaves in /usr/local/bin. Only what the Dockerfile shows, plus `globs`: what
 * an install's glob matched when it ran (a fact of the fixture's build, given by the test).
 */
export function shipped(model: DockerfileModel, stage: DockerfileModel['stages'][number], globs: Record<string, string[]> = {}): string[] {
  const norm = (p: string) => path.posix.normalize(p.startsWith('/') ? p : `/${p}`).replace(/\/+$/, '') || '/';
  const under = (file: string, dir: string) => file === dir || file.startsWith(`${dir}/`);
  const filesIn = (s: typeof stage, dir: string, seen: Set<typeof stage>): Set<string> => {
    const out = new Set<string>();
    if (seen.has(s)) return out;
    const chain = [s];
    for (let b = s.base; b; b = b.base) chain.push(b);
    out.add(`${chain.at(-1)!.image}:${dir}`);
    for (const st of chain) {
      for (const i of st.instructions) {
        for (const c of i.shell?.commands ?? []) {
          if (c.name === 'install') {
            const words = c.args.map((a) => a.value).filter((v) => !v.startsWith('-'));
            const dest = norm(words.at(-1)!);
            for (const w of words.slice(0, -1).flatMap((x) => globs[x] ?? [x])) if (under(`${dest}/${path.posix.basename(w)}`, dir)) out.add(`${dest}/${path.posix.basename(w)}`);
          }
          if (c.name === 'xx-go' && c.args.some((a) => a.value === '--wrap')) for (const l of ['/usr/local/bin/clang', '/usr/local/bin/clang++']) if (under(l, dir)) out.add(l);
        }
        const ref = st.refs.find((r) => r.instruction === i && r.kind === 'copy' && r.stage);
        // The xx image holds only its helpers (/usr/bin/xx-*): `COPY --from=xx / /` puts nothing
        // where a final stage copies from (its clang links are counted at the wrap, above).
        if (!ref || /tonistiigi-xx/.test(ref.stage!.image)) continue;
        const words = i.args.trim().split(/\s+/);
        const dest = words.at(-1)!;
        for (const src of words.slice(0, -1)) {
          const isDir = src.endsWith('/') || dest.endsWith('/') === false && words.length === 2 && !path.posix.extname(src) && filesIn(ref.stage!, norm(src), new Set([...seen, s])).size > 1;
          if (isDir) {
            for (const f of filesIn(ref.stage!, norm(src), new Set([...seen, s]))) {
              const moved = f.includes(':') ? `${f.split(':')[0]}:${norm(dest)}` : norm(dest) + f.slice(norm(src).length);
              // A base image's own files of the copied folder count where the copy overlaps `dir`.
              if (f.includes(':') ? under(norm(dest), dir) || under(dir, norm(dest)) : under(moved, dir)) out.add(moved);
            }
          } else {
            const target = dest.endsWith('/') ? `${norm(dest)}/${path.posix.basename(src)}` : norm(dest);
            if (under(target, dir)) out.add(target);
          }
        }
      }
    }
    return out;
  };
  const out = new Set<string>();
  for (const ref of stage.refs) {
    if (ref.kind !== 'copy' || !ref.stage) continue;
    const words = ref.instruction.args.trim().split(/\s+/);
    for (const src of words.slice(0, -1)) for (const f of filesIn(ref.stage, norm(src), new Set())) out.add(f);
  }
  return [...out].sort();
}
