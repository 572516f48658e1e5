/**
 * What the PR body needs from a checkout's build files: the targets they build and the
 * build-args they pass, before and after the migration (the after files are the checkout's, the
 * before ones the same with the migration's before texts), and where they passed ARCH.
 */
import { buildTargets, readBuildFiles, scanBuildFile, type BuildFile } from '../dockerfile/build-files.ts';
import { describeBuild, emulationOf } from '../dockerfile/build-runners.ts';
import type { FileChange } from '../migrate/types.ts';
import { timedBuildArgs } from '../timing/build-args.ts';
import type { BuildInfo } from './body-sections.ts';

export async function buildInfoOf(dir: string, changes: FileChange[] = []): Promise<BuildInfo> {
  const after = await readBuildFiles(dir);
  const before: BuildFile[] = after.map((f) => {
    const c = changes.find((x) => x.path === f.path);
    return c ? { ...f, text: c.before } : f;
  });
  return {
    targets: [...new Set(after.flatMap(buildTargets))],
    argsBefore: timedBuildArgs(before),
    argsAfter: timedBuildArgs(after),
    emulation: (() => {
      // Said only where some build already makes the arm64 image on an arm64 runner: an amd64
      // build on an amd64 runner was never emulated, and is no news.
      const e = emulationOf(before);
      const native = e.builds.filter((b) => !e.emulating.includes(b));
      return native.some((b) => b.runnerArch === 'arm64') ? { emulating: e.emulating.map(describeBuild), native: native.map(describeBuild) } : { emulating: [], native: [] };
    })(),
    archPassed: before.flatMap((f) => scanBuildFile(f).buildArgs.filter((b) => b.name === 'ARCH').map((b) => ({ file: b.file, line: b.line, ...(b.value !== undefined ? { value: b.value } : {}) }))),
  };
}
