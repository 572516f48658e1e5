/**
 * The sections of the PR body a reviewer decides with: what changed and why (by file and stage,
 * linking the PR's own lines), the behaviour changes to accept, what the bot verified, how to
 * check it yourself, and how to steer the bot. Each is written from the migration's facts (the
 * before and after texts, the edits and their reasons, the build files, the timing), never from a
 * template that could say something untrue of this repository.
 */
import type { FileChange, FileReport } from '../migrate/types.ts';
import { parseDockerfile, type DockerfileModel, type Stage } from '../dockerfile/model.ts';
import { reviewChange } from '../review/before-after.ts';
import { DockerfileFacts } from '../dockerfile/facts.ts';
import type { Finding } from '../review/review.ts';
import { diffAnchors, diffFileAnchor, type DiffAnchor } from './diff-anchors.ts';
import { code, codeBlock, text } from '../markdown/untrusted.ts';
import { measured, type TimingInput } from '../timing/delivery-input.ts';

/** What the checkout's build files (Makefile, workflows) build and pass, before and after the migration. */
export interface BuildInfo {
  /** `--target`s the build files build (stages of the Dockerfile; several images per Dockerfile). */
  targets: string[];
  /** Build-args passed with a known value, per variant (as a real build of that variant gets them). */
  argsBefore: Record<string, string>;
  argsAfter: Record<string, string>;
  /** Where the build files passed `ARCH` before the migration, with the value as written. */
  archPassed: { file: string; line: number; value?: string }[];
  /** The workflows' image builds (src/dockerfile/build-runners.ts), said per build: which run a platform under QEMU, which build natively. */
  emulation?: { emulating: string[]; native: string[] };
}

export interface SectionInput {
  repo: string;
  serverUrl: string;
  /** Default-branch commit the change is built on, and the bot's commit on top of it. */
  base: string;
  head: string;
  botBranch: string;
  files: FileReport[];
  changes: FileChange[];
  findings: Finding[];
  timing?: TimingInput;
  platforms: string[];
  build?: BuildInfo;
}

const isDockerfile = (p: string) => /(^|\/)([^/]*\.)?Dockerfile(\.[^/]*)?$/i.test(p);
// Only for grouping equal reasons: what is shown goes through src/markdown/untrusted.ts.
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

function parse(textOf: string | undefined, path: string): DockerfileModel | undefined {
  if (textOf === undefined) return undefined;
  try {
    return parseDockerfile(textOf, path);
  } catch {
    return undefined;
  }
}

function stageAt(model: DockerfileModel | undefined, line: number): Stage | undefined {
  return model?.stages.filter((s) => s.from.line <= line).at(-1);
}

function stageLabel(s: Stage | undefined): string {
  if (!s) return 'Before the first `FROM` (global ARGs)';
  return s.name ? `Stage ${code(s.name)}` : `Stage ${s.index} (${code(`FROM ${s.image}`)})`;
}

interface Models {
  change?: FileChange;
  before?: DockerfileModel;
  after?: DockerfileModel;
  anchor: (line: number, endLine?: number, reason?: string) => DiffAnchor | undefined;
}

function modelsOf(input: SectionInput, f: FileReport): Models {
  const change = input.changes.find((c) => c.path === f.path);
  const docker = isDockerfile(f.path);
  return { change, before: docker ? change?.models?.before ?? parse(change?.before, f.path) : undefined, after: docker ? change?.models?.after ?? parse(change?.after, f.path) : undefined, anchor: diffAnchors(f.diff) };
}

/** A link to a line of the PR's diff (the bot's one commit: its diff is the PR's). */
function lineLink(input: SectionInput, file: string, a: DiffAnchor | undefined, fallback: number): string {
  if (!a) return `line ${fallback}`;
  const label = a.side === 'R' ? `line ${a.line}` : `line ${a.line} (removed)`;
  return `[${label}](${input.serverUrl}/${input.repo}/commit/${input.head}#${diffFileAnchor(file)}${a.side}${a.line})`;
}

/** After line `n` of a changed file, as written (for quoting the line a behaviour change is on). */
function afterLine(m: Models, n: number): string | undefined {
  return m.change?.after.split(/\r?\n/)[n - 1];
}

export function whatChangedSection(input: SectionInput): string[] {
  const out = ['### What changed, and why', ''];
  for (const f of input.files.filter((x) => x.edits.length)) {
    const m = modelsOf(input, f);
    // One entry per reason: the lines it applies to, in file order; grouped by the stage they are in.
    const groups = new Map<string, { pos: number; reasons: Map<string, { pos: number; links: Map<string, number> }> }>();
    for (const e of f.edits) {
      const a = m.anchor(e.line, e.endLine, e.reason);
      const pos = a?.pos ?? e.line;
      const stage = a?.side === 'R' ? stageAt(m.after, a.line) : stageAt(m.before, e.line);
      const label = isDockerfile(f.path) ? stageLabel(stage) : '';
      const g = groups.get(label) ?? { pos, reasons: new Map() };
      g.pos = Math.min(g.pos, pos);
      groups.set(label, g);
      const reason = oneLine(e.reason);
      const r = g.reasons.get(reason) ?? { pos, links: new Map() };
      r.pos = Math.min(r.pos, pos);
      r.links.set(lineLink(input, f.path, a, e.line), pos);
      g.reasons.set(reason, r);
    }
    out.push(`**${code(f.path)}**`, '');
    for (const [label, g] of [...groups].sort((x, y) => x[1].pos - y[1].pos)) {
      if (label) out.push(`*${label}*`, '');
      for (const [reason, r] of [...g.reasons].sort((x, y) => x[1].pos - y[1].pos)) {
        const links = [...r.links].sort((x, y) => x[1] - y[1]).map(([l]) => l);
        out.push(`- ${links.join(', ')}: ${text(reason)}`);
      }
      out.push('');
    }
  }
  const emulated = input.files.flatMap((f) => f.skips.filter((s) => s.stage).map((s) => `- ${code(f.path)} stage ${code(s.stage!)} stays emulated: ${text(s.reason)}`));
  if (emulated.length) out.push('**Kept emulated** (still built under QEMU for foreign platforms)', '', ...emulated, '');
  return out;
}

/** The counts of the reasons, for a change too long to list line by line. */
export function whatChangedCounts(input: SectionInput): string[] {
  const out = ['### What changed, and why', ''];
  for (const f of input.files.filter((x) => x.edits.length)) out.push(`- ${code(f.path)}: ${f.edits.length} edit${f.edits.length === 1 ? '' : 's'}`);
  return [...out, ''];
}

export function behaviourSection(input: SectionInput): string[] {
  const items: string[] = [];
  const platforms = input.platforms.join(', ');
  for (const f of input.files) {
    if (!isDockerfile(f.path) || !f.edits.length) continue;
    const m = modelsOf(input, f);
    for (const e of f.edits) {
      const a = m.anchor(e.line, e.endLine, e.reason);
      const where = `${code(f.path)} ${lineLink(input, f.path, a, e.line)}`;
      const now = a?.side === 'R' ? afterLine(m, a.line) : undefined;
      if (e.recipe === 'guard-binary-exec') {
        const binary = /"([^"]+)" is built for the target/.exec(e.reason)?.[1];
        items.push(`- **A smoke test is skipped on foreign platforms.** ${where}${now ? ` (${code(now)})` : ''}: ${binary ? code(binary) : 'the binary'} is built for the target platform, so it now runs only where the build platform is the target platform (linux/amd64 on an amd64 runner). On an amd64 runner the arm64 image no longer runs it during the build.`);
      } else if (e.recipe === 'arch-build-arg' && /ARCH silently means amd64/.test(e.reason) && now && /\b(if|test|case)\b|\[\s/.test(now)) {
        const sources = archSources(input, m);
        items.push(`- **A step that tested \`ARCH\` now tests \`TARGETARCH\`.** ${where} (${code(now)}): TARGETARCH is the architecture being built, set by BuildKit for each platform. Before, the step tested \`ARCH\`, which was ${sources}. Where that value was not the platform being built (the default in an arm64 build, a fixed value for every platform), the step took the other platform's branch. Now each of ${platforms} takes its own.`);
      } else if (e.recipe === 'xx-verify' && now) {
        items.push(`- **The build now fails on a wrong binary.** ${where} (${code(now)}): a binary not built for the target platform${/--static/.test(now) ? ', or not statically linked,' : ''} fails the build.`);
      } else if (e.recipe === 'strip-on-target' && /^new stage/.test(e.reason) && a?.side === 'R') {
        const stage = stageAt(m.after, a.line);
        if (!stage) continue;
        const image = stage.resolvedImage && stage.resolvedImage !== stage.image ? `${code(stage.image)} (${code(stage.resolvedImage)} by default)` : code(stage.image);
        items.push(`- **A new stage pulls the build image for the target.** ${where}: stage ${code(stage.name ?? String(stage.index))} is built \`FROM\` ${image} for the target platform, to strip the binaries there. Each build now also pulls that image for every target platform, and on an amd64 runner the arm64 strip runs under QEMU (seconds, not the compile).`);
      } else if (e.recipe === 'xx-toolchain' && /instead|installed with xx-apk/.test(e.reason)) {
        items.push(`- **Build packages change.** ${where}: ${text(e.reason)}.`);
      }
    }
    const declared = (t: string | undefined) => (t ? /^\s*ARG\s+ARCH\b/im.test(t) : false);
    if (declared(m.change?.before) && !declared(m.change?.after)) {
      items.push(`- **\`ARCH\` is no longer a build-arg of ${code(f.path)}.** A \`--build-arg ARCH=...\` passed from elsewhere (a release script, another workflow) now has no effect; BuildKit warns that it is unused.${input.build?.archPassed.length ? ` This PR stops passing it in ${[...new Set(input.build.archPassed.map((p) => code(p.file)))].join(', ')}.` : ''}`);
    }
  }
  const out = ['### Behaviour changes', ''];
  if (!items.length) return [...out, 'None that the bot knows of: the final images keep their platform, base image, name, files and runtime settings (see **Verified**).', ''];
  return [...out, 'Each of these is a difference a reviewer has to accept; everything else builds what it built before.', '', ...[...new Set(items)], ''];
}

/** What ARCH was before the migration, from the Dockerfile's default and what the build files passed. */
function archSources(input: SectionInput, m: Models): string {
  const parts: string[] = [];
  const def = m.before?.globalArgs.find((g) => g.name === 'ARCH')?.defaultValue;
  if (def !== undefined) parts.push(`${code(def.replace(/^["']|["']$/g, ''))} by the Dockerfile's default`);
  for (const p of input.build?.archPassed ?? []) parts.push(`${code(p.value ?? '...')} as ${code(p.file)} line ${p.line} passes it`);
  return parts.length ? parts.join('; ') : 'whatever the build passed';
}

/** Where the change helps, when some workflow builds already run natively (a runner per platform). */
export function whereSection(input: SectionInput): string[] {
  const e = input.build?.emulation;
  if (!e || !e.native.length || !e.emulating.length) return [];
  return [
    '### Where this helps',
    '',
    'Only some builds of the image run under QEMU; the others already build each platform natively and gain nothing from this change. The build times below are those of an emulating build.',
    '',
    ...e.emulating.map((b) => `- Emulates: ${text(b)}`),
    ...e.native.map((b) => `- Native: ${text(b)}`),
    '',
  ];
}

export function verifiedSection(input: SectionInput): string[] {
  const out = ['### Verified', '', 'The bot refuses to commit a migration that fails any of the checks on the Dockerfiles; their results for this change:', ''];
  const errors = input.findings.filter((f) => f.severity === 'error').length;
  const warnings = input.findings.length - errors;
  const dockerfiles = input.files.filter((f) => isDockerfile(f.path) && f.status === 'changed');
  out.push(`- **Review of the migrated files** (the rule set below, the one \`review\` runs on any Dockerfile): ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`);
  for (const f of dockerfiles) {
    const m = modelsOf(input, f);
    if (!m.before || !m.after) continue;
    const targets = input.build?.targets ?? [];
    const problems = reviewChange(DockerfileFacts.of(m.before, { targets }), DockerfileFacts.of(m.after, { targets }));
    const finals = m.after.stages.filter((s) => s.isLeaf || input.build?.targets.some((t) => t.toLowerCase() === s.name?.toLowerCase()));
    const names = finals.map((s) => (s.name ? `stage ${code(s.name)}` : `stage ${s.index}, ${code(`FROM ${s.image}`)}`)).join('; ');
    out.push(problems.length
      ? `- **What the images ship** (${code(f.path)}): failed: ${problems.map((p) => text(p.message)).join('; ')}.`
      : `- **What the images ship** (${code(f.path)}, ${finals.length === 1 ? 'the final image' : 'the final images'}: ${names}): passed: each keeps its platform, base image, name, COPY destinations and ENTRYPOINT, CMD, LABEL, EXPOSE and USER; the global ARGs other than \`ARCH\` and their defaults stay.`);
  }
  if (dockerfiles.length) out.push(`- **Idempotence** (${dockerfiles.map((f) => code(f.path)).join(', ')}): passed: the migration run again on its own output changes nothing.`);
  const verify = dockerfiles.flatMap((f) => {
    const after = input.changes.find((c) => c.path === f.path)?.after ?? '';
    // A loop (`for f in bin/*; do xx-verify "$f" ...`) verifies what it lists, not "$f".
    return [...after.matchAll(/for (\w+) in ([^;\n]+); do xx-verify(?:\s+--\S+)* "\$\1"|xx-verify(?:\s+--\S+)*\s+([^\n&;|\\]+)/g)].map((x) => ({ file: f.path, binaries: (x[2] ?? x[3]!).trim() }));
  });
  const binaries = verify.map((v) => code(v.binaries)).join(', ');
  const t = input.timing;
  if (measured(t) && t.builds?.length) {
    const ok = t.builds.filter((b) => b.status === 'ok');
    const bad = t.builds.filter((b) => b.status !== 'ok');
    out.push(`- **Builds** (cold, ${text(t.where ?? 'see Build time')}): ${ok.length} of ${t.builds.length} succeeded${bad.length ? `; ${bad.map((b) => `${b.variant} ${b.platform}${b.section ? ` (${text(b.section)})` : ''}: ${b.status}`).join(', ')}` : ''}.`);
    const afterOk = ok.filter((b) => b.variant === 'after').map((b) => b.platform);
    if (verify.length) out.push(`- **Architecture of the binaries**: ${afterOk.length ? `\`xx-verify\` passed for ${binaries} in the after builds for ${[...new Set(afterOk)].join(', ')} (it fails the build when a binary is not built for the platform being built)` : `no after build succeeded, so ${binaries} were not checked`}.`);
  } else {
    out.push(`- **Builds**: none ran for this PR (${text(notMeasuredShort(t))}), so no image was built and no binary's architecture was checked yet.${verify.length ? ` The after Dockerfile runs \`xx-verify\` on ${binaries} in every build: a binary built for the wrong platform fails it.` : ''}`);
  }
  return [...out, ''];
}

function notMeasuredShort(t: TimingInput | undefined): string {
  return t?.notMeasuredReason ?? 'this run did not time the builds: --timing was not given';
}

/**
 * Shell-quoted, for a value taken from a repository. A value with a line break or another control
 * character is ANSI-C quoted (`$'...'`), so every command stays on its own line of the script.
 */
const sh = (s: string) => {
  if (/^[A-Za-z0-9_.,:/@%+=-]+$/.test(s)) return s;
  if (!/[\u0000-\u001f\u007f\u0085\u2028\u2029]/.test(s)) return `'${s.replace(/'/g, `'\\''`)}'`;
  return `$'${s.replace(/[\\']/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;
};

export function checkSection(input: SectionInput): string[] {
  const name = input.repo.split('/')[1] ?? input.repo;
  const dockerfiles = input.files.filter((f) => isDockerfile(f.path) && f.status === 'changed').map((f) => f.path);
  if (!dockerfiles.length) return [];
  const archs = input.platforms.map((p) => p.split('/')[1] ?? p);
  const lines: string[] = [
    `git clone ${sh(`${input.serverUrl}/${input.repo}.git`)} && cd ${sh(name)}`,
    `git fetch origin ${sh(input.botBranch)}`,
    `git worktree add ../${sh(`${name}-before`)} ${input.base}   # the default branch this PR is built on`,
    `git worktree add ../${sh(`${name}-after`)} ${input.head}    # this PR`,
  ];
  if (archs.some((a) => a !== 'amd64')) lines.push(`# on an amd64 machine the other platforms build under QEMU: register it once (Docker Desktop has it)`, `docker run --privileged --rm tonistiigi/binfmt --install ${archs.filter((a) => a !== 'amd64').join(',')}`);
  const tags: string[] = [];
  lines.push(`for arch in ${archs.join(' ')}; do`);
  for (const df of dockerfiles) {
    const change = input.changes.find((c) => c.path === df);
    const stages = (m: DockerfileModel | undefined) => new Set(m?.stages.flatMap((s) => (s.name ? [s.name.toLowerCase()] : [])) ?? []);
    const before = stages(change?.models?.before ?? parse(change?.before, df));
    const after = stages(change?.models?.after ?? parse(change?.after, df));
    const targets = (input.build?.targets ?? []).filter((t) => before.has(t.toLowerCase()) && after.has(t.toLowerCase()));
    for (const target of targets.length ? targets : [undefined]) {
      for (const variant of ['before', 'after'] as const) {
        const args = { ...(variant === 'before' ? input.build?.argsBefore : input.build?.argsAfter) };
        const archArg = variant === 'before' && /^\s*ARG\s+ARCH\b/im.test(change?.before ?? '') ? ' --build-arg ARCH=$arch' : '';
        const flags = Object.entries(args).filter(([k]) => k !== 'ARCH').map(([k, v]) => ` --build-arg ${sh(`${k}=${v}`)}`).join('');
        const tag = `${variant}${dockerfiles.length > 1 ? `-${df.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase()}` : ''}${target ? `-${target.toLowerCase()}` : ''}`;
        if (variant === 'after') tags.push(tag.replace(/^after/, ''));
        lines.push(`  docker buildx build --load --platform linux/$arch${target ? ` --target ${sh(target)}` : ''}${df !== 'Dockerfile' ? ` -f ../${sh(`${name}-${variant}/${df}`)}` : ''}${archArg}${flags} -t ${sh(`${name}-check`)}:${tag}-$arch ../${sh(`${name}-${variant}`)}`);
      }
    }
  }
  lines.push('done');
  const compare: string[] = [
    `# what each image ships, and what every ELF file in it is built for (needs \`file\` on this machine)`,
    `for img in $(docker images --format '{{.Tag}}' ${sh(`${name}-check`)}); do`,
    `  c=$(docker create ${sh(`${name}-check`)}:$img true) && mkdir -p fs/$img && docker export "$c" | tar -x -C fs/$img; docker rm "$c" >/dev/null`,
    `  (cd fs/$img && find . -type f | sort > ../$img.files && find . -type f -exec file {} + | grep ELF | sed 's/, BuildID[^,]*//' | sort > ../$img.elf)`,
    'done',
    ...tags.flatMap((t) => archs.map((a) => `diff fs/before${t}-${a}.files fs/after${t}-${a}.files && diff fs/before${t}-${a}.elf fs/after${t}-${a}.elf && echo "${t ? `${t.slice(1)} ` : ''}${a}: same files, same binaries' machine"`)),
  ];
  return [
    '### How to check it yourself',
    '',
    `On any machine with Docker (the default \`docker\` driver builds one platform at a time, so each is its own build${dockerfiles.length > 1 || input.build?.targets.length ? '; one build per Dockerfile and `--target` the Makefile and workflows build' : ''}), build the default branch and this PR with the build-args the Makefile and workflows pass:`,
    '',
    codeBlock(lines.join('\n'), 'sh'),
    '',
    'Then compare what the images ship. The file lists should be the same, and each binary of the same ELF machine and linking as before (a BuildID differs by build, so it is left out):',
    '',
    codeBlock(compare.join('\n'), 'sh'),
    '',
  ];
}

export function botSection(input: SectionInput): string[] {
  return [
    '### The bot on this repository',
    '',
    `- **Pause it**: add \`skip: <reason>\` under ${code(input.repo)} in the bot's \`repos.yaml\`; its next run closes this PR with that reason and leaves the repository alone until the entry goes. To keep this PR but stop its updates, push a commit to ${code(input.botBranch)}: the bot says so once in a comment and never overwrites it.`,
    '- **Ask for a rebuild**: tick **Rebuild this PR** below; the next run rebuilds the branch from the default branch, replacing commits pushed by hand, and unticks the box.',
    `- **Closing it** unmerged stops the bot for this repository: it never reopens or recreates the PR. To bring it back, restore the branch and reopen the PR, or set \`recreateClosed: true\` for the repository in \`repos.yaml\`; the next run opens a new one. After a merge or a close the bot deletes ${code(input.botBranch)} when it holds only the bot's commit.`,
    '',
  ];
}
