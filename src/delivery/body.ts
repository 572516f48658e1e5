/**
 * The PR title and body, written for the reviewer: what the PR does, what changed and why (by file
 * and stage, each reason linking to its line in the PR's diff), the behaviour changes to accept,
 * what the bot verified, the timing with where and when it was measured (or why it was not), the
 * review findings, how to check it yourself, how to steer the bot, a checklist, the rebuild
 * checkbox and the hidden marker. GitHub refuses bodies over 65,536 characters: long parts are
 * summarised whole, never cut in the middle of a table.
 */
import type { FileChange, FileReport } from '../migrate/types.ts';
import type { Finding } from '../review/review.ts';
import { formatRatio, formatSeconds } from '../timing/format.ts';
import { behaviourSection, botSection, checkSection, verifiedSection, whereSection, whatChangedCounts, whatChangedSection, type BuildInfo, type SectionInput } from './body-sections.ts';
import { BEGIN_MARK, rebaseCheckbox, renderMarker, type DraftReason, type Marker } from './marker.ts';
import { code, codeBlock, text } from '../markdown/untrusted.ts';
import { unifiedDiff } from '../migrate/diff.ts';
import { failedAfterBuilds, measured, notMeasuredText, type TimingInput } from '../timing/delivery-input.ts';

export const MAX_BODY = 65_536;
export const PR_TITLE = 'Build with cross-compilation (tonistiigi/xx) instead of QEMU emulation';

export interface BodyInput {
  repo: string;
  /** Web root of the git host, e.g. https://github.com */
  serverUrl: string;
  /** Default branch commit the change is built on. */
  base: string;
  files: FileReport[];
  findings: Finding[];
  timing?: TimingInput;
  platforms: string[];
  marker: Marker;
  /** Every changed file's text before and after (the migration's `CheckoutReport.changes`). */
  changes?: FileChange[];
  /** What the Makefile and workflows build and pass. */
  build?: BuildInfo;
  /** The bot's branch (default `cross-compile/xx`). */
  botBranch?: string;
}

export function renderBody(input: BodyInput, budget = MAX_BODY - 1_000): string {
  const s: SectionInput = {
    repo: input.repo, serverUrl: input.serverUrl, base: input.base, head: input.marker.pushed, botBranch: input.botBranch ?? 'cross-compile/xx',
    files: input.files, changes: input.changes ?? [], findings: input.findings, timing: input.timing, platforms: input.platforms, build: input.build,
  };
  const head = [BEGIN_MARK, '', intro(input.timing, input.files.some((f) => f.skips.some((k) => k.stage))), ''];
  const tail = [
    '### Review checklist',
    '',
    '- [ ] The compile stages start with `FROM --platform=$BUILDPLATFORM` and the final images keep their platform',
    '- [ ] Every compiled binary goes through `xx-verify`; stripping happens on the target platform',
    '- [ ] Stages kept emulated have a `# kept emulated:` reason that still holds',
    '- [ ] The Makefile / workflows pass no `ARCH` the Dockerfile no longer reads',
    '',
    ...botSection(s),
    '---',
    '',
    rebaseCheckbox(false),
    '',
    `<sub>Opened by image-build-migrator ${input.marker.tool}. On each update the bot rewrites the sections between its markers (from the top of its text down to this line) and the title, unless someone edited it; anything outside them, above or below, is kept.</sub>`,
    '',
    renderMarker(input.marker),
  ];
  const held = input.marker.draft?.reasons ?? [];
  const middle = (detail: 'full' | 'counts') => [
    ...handOverSection(input.marker.handOver ?? [], input.changes ?? []),
    ...(detail === 'full' ? whatChangedSection(s) : whatChangedCounts(s)),
    ...behaviourSection(s),
    ...whereSection(s),
    ...verifiedSection(s),
    ...timingSection(input.timing, held),
    ...findingsSection(input.findings, detail, held),
    ...checkSection(s),
  ];
  for (const detail of ['full', 'counts'] as const) {
    const body = [...head, ...middle(detail), ...tail].join('\n');
    if (body.length <= budget) return body;
  }
  // Even the counts are too long (hundreds of files): say so and point at the files tab.
  return [...head, '### What changed', '', `${input.files.filter((f) => f.status === 'changed').length} files changed: too many to list here, see the Files tab.`, '', ...timingSection(input.timing, held), ...tail].join('\n');
}

/** What the PR does; a speed only once it was measured. */
function intro(t: TimingInput | undefined, keptEmulated: boolean): string {
  const what = `This PR moves the compile stages of this repository to the build platform and cross-compiles with [\`tonistiigi/xx\`](https://github.com/tonistiigi/xx): the compiler no longer runs under QEMU emulation for arm64${keptEmulated ? ' (except in the stages listed under **Kept emulated**)' : ''}.`;
  if (measured(t) && t.arm64SecondsBefore && t.arm64SecondsAfter) {
    return `${what} Measured once, cold: the linux/arm64 build took ${formatSeconds(t.arm64SecondsBefore)} before and ${formatSeconds(t.arm64SecondsAfter)} after (${formatRatio(t.arm64SecondsBefore / t.arm64SecondsAfter)}); see **Build time**.`;
  }
  return `${what} How much faster it builds here is not measured yet (see **Build time**).`;
}

// The draft sentences are written only while the bot holds the PR as a draft for that reason
// (the marker's record): once it is ready, or a human decided, the body promises nothing.
function timingSection(t: TimingInput | undefined, held: DraftReason[]): string[] {
  if (measured(t)) {
    const when = t.measuredAt ? `${t.measuredAt.slice(0, 16).replace('T', ' ')} UTC` : 'at an unrecorded time';
    const samples = (t.samples ?? 1) > 1 ? `the median of ${t.samples} samples per cell` : 'one sample: each cell is a single cold build (build cache pruned, `--no-cache --pull`), so differences of a few percent are within noise';
    return [
      '### Build time',
      '',
      `Measured ${when}${t.where ? ` on ${text(t.where)}` : ''}; ${samples}.${t.reused ? ' Reused from the timing store: nothing the builds depend on changed since.' : ''}`,
      '',
      t.markdownTable.trim(),
      '',
      '*Speedup* is a platform\'s time before divided by its time after. *Parity* is a platform\'s time after divided by linux/amd64\'s time after: 1.00 means it builds as fast as amd64.',
      '',
      ...failedAfterBuilds(t).map((b) => `**The migrated build ${b.status === 'timeout' ? 'timed out' : 'failed'} for ${text(b.platform)}**${b.failedStep ? ` at ${code(b.failedStep)}` : ''}${held.includes('after-build') ? ': this PR stays a draft until it builds.' : '.'}`),
      ...(failedAfterBuilds(t).length ? [''] : []),
    ];
  }
  return ['### Build time', '', `Not measured: ${oneLine(notMeasuredText(t))}.${held.includes('timing') ? ' This PR stays a draft until it is.' : ''}`, ''];
}

function findingsSection(findings: Finding[], detail: 'full' | 'counts', held: DraftReason[]): string[] {
  if (!findings.length) return ['### Review of the migrated files', '', 'The rule set finds nothing to report in the migrated files.', ''];
  const out = ['### Review of the migrated files', ''];
  if (held.includes('warnings')) out.push('This PR stays a draft while the rule set has warnings about the migrated files.', '');
  if (detail === 'counts') {
    const byRule = new Map<string, number>();
    for (const f of findings) byRule.set(`${f.severity} \`${f.rule}\``, (byRule.get(`${f.severity} \`${f.rule}\``) ?? 0) + 1);
    for (const [k, n] of byRule) out.push(`- ${k}: ${n}`);
    return [...out, ''];
  }
  out.push('| severity | rule | where | finding |', '|---|---|---|---|');
  for (const f of findings) out.push(`| ${f.severity} | ${code(f.rule, { inTable: true })} | ${code(`${f.file}:${f.line}`, { inTable: true })} | ${text(f.message)} |`);
  return [...out, ''];
}

// The bot's own sentences (why a timing is missing), kept on one line of the body.
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/**
 * The workflow edits the bot could not push (GitHub refuses workflow changes from an App without
 * "Workflows: write", or a token without the `workflow` scope): the rest of the migration is on
 * the branch, and these edits are shown whole for a maintainer to make.
 */
function handOverSection(files: string[], changes: FileChange[]): string[] {
  if (!files.length) return [];
  const out = [
    '### Left for a maintainer: workflow edits',
    '',
    `The bot may not change files under \`.github/workflows/\` (GitHub refuses such a push without the **Workflows: Read and write** permission of the App, or the \`workflow\` scope of a token), so this branch leaves ${files.length === 1 ? 'this file' : 'these files'} as ${files.length === 1 ? 'it is' : 'they are'}. Apply the change below by hand, or give the bot that permission and tick **Rebuild this PR**.`,
    '',
  ];
  for (const f of files) {
    const c = changes.find((x) => x.path === f);
    out.push(`- ${code(f)}`);
    if (c) out.push('', codeBlock(unifiedDiff(f, c.before, c.after), 'diff'), '');
  }
  return [...out, ''];
}
