/**
 * The PR title and body, written for the reviewer: what changed and why (per recipe, each reason
 * linking to its line), the timing (or why it is missing), the review findings, how to check it
 * yourself, a checklist, the rebase checkbox and the hidden marker. GitHub refuses bodies over
 * 65,536 characters: long parts are summarised whole, never cut in the middle of a table.
 */
import type { FileReport } from '../migrate/types.ts';
import type { Finding } from '../review/review.ts';
import { rebaseCheckbox, renderMarker, type DraftReason, type Marker } from './marker.ts';
import { measured, notMeasuredText, type TimingInput } from './timing.ts';

export const MAX_BODY = 65_536;
export const PR_TITLE = 'Build with cross-compilation (tonistiigi/xx) instead of QEMU emulation';

export interface BodyInput {
  repo: string;
  /** Web root of the git host, e.g. https://github.com */
  serverUrl: string;
  /** Default branch commit the change is built on (links point at the original lines). */
  base: string;
  files: FileReport[];
  findings: Finding[];
  timing?: TimingInput;
  platforms: string[];
  marker: Marker;
}

export function renderBody(input: BodyInput, budget = MAX_BODY - 1_000): string {
  const head = [
    'This PR moves the compile stages of this repository to the build platform and cross-compiles with [`tonistiigi/xx`](https://github.com/tonistiigi/xx): arm64 is no longer built under QEMU emulation, so it costs about what amd64 costs.',
    '',
  ];
  const tail = [
    '### How to check it yourself',
    '',
    '```sh',
    `docker buildx build --platform ${input.platforms.join(',')} ${input.files.length === 1 && input.files[0]!.path !== 'Dockerfile' ? `-f ${input.files[0]!.path} ` : ''}.`,
    '```',
    '',
    'Build it before and after on an amd64 machine: the images list the same files, `xx-verify` checks every binary is built for its platform, and the arm64 build no longer runs the compiler under QEMU.',
    '',
    '### Review checklist',
    '',
    '- [ ] The compile stages start with `FROM --platform=$BUILDPLATFORM` and the final images keep their platform',
    '- [ ] Every compiled binary goes through `xx-verify`; stripping happens on the target platform',
    '- [ ] Stages kept emulated have a `# kept emulated:` reason that still holds',
    '- [ ] The Makefile / workflows pass no `ARCH` the Dockerfile no longer reads',
    '',
    '---',
    '',
    rebaseCheckbox(false),
    '',
    `<sub>Opened by image-build-migrator ${input.marker.tool}. A commit pushed by hand to this branch stops the bot's updates; closing this PR unmerged stops the bot for this repository.</sub>`,
    '',
    renderMarker(input.marker),
  ];
  const held = input.marker.draft?.reasons ?? [];
  const middle = (detail: 'full' | 'counts') => [...whatChanged(input, detail), ...timingSection(input.timing, held), ...findingsSection(input.findings, detail, held)];
  for (const detail of ['full', 'counts'] as const) {
    const body = [...head, ...middle(detail), ...tail].join('\n');
    if (body.length <= budget) return body;
  }
  // Even the counts are too long (hundreds of files): say so and point at the files tab.
  return [...head, '### What changed', '', `${input.files.filter((f) => f.status === 'changed').length} files changed: too many to list here, see the Files tab.`, '', ...timingSection(input.timing, held), ...tail].join('\n');
}

function whatChanged(input: BodyInput, detail: 'full' | 'counts'): string[] {
  const out = ['### What changed, and why', ''];
  const byRecipe = new Map<string, { file: string; line: number; reason: string }[]>();
  for (const f of input.files) {
    for (const e of f.edits) {
      const list = byRecipe.get(e.recipe) ?? [];
      list.push({ file: f.path, line: e.line, reason: e.reason });
      byRecipe.set(e.recipe, list);
    }
  }
  for (const [recipe, edits] of [...byRecipe].sort((a, b) => a[0].localeCompare(b[0]))) {
    out.push(`**\`${recipe}\`** (${edits.length} edit${edits.length === 1 ? '' : 's'})`);
    if (detail === 'full') {
      const seen = new Set<string>();
      for (const e of edits) {
        const key = `${e.file}:${e.line}:${e.reason}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(`- [${e.file}:${e.line}](${input.serverUrl}/${input.repo}/blob/${input.base}/${encodePath(e.file)}#L${e.line}): ${oneLine(e.reason)}`);
      }
    }
    out.push('');
  }
  const emulated = input.files.flatMap((f) => f.skips.filter((s) => s.stage).map((s) => `- \`${f.path}\` stage \`${s.stage}\` stays emulated: ${oneLine(s.reason)}`));
  if (emulated.length) out.push('**Kept emulated**', '', ...emulated, '');
  return out;
}

// The draft sentences are written only while the bot holds the PR as a draft for that reason
// (the marker's record): once it is ready, or a human decided, the body promises nothing.
function timingSection(t: TimingInput | undefined, held: DraftReason[]): string[] {
  if (measured(t)) return ['### Build time', '', t.markdownTable.trim(), ''];
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
  for (const f of findings) out.push(`| ${f.severity} | \`${f.rule}\` | ${f.file}:${f.line} | ${cell(f.message)} |`);
  return [...out, ''];
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
const cell = (s: string) => oneLine(s).replace(/\|/g, '\\|');
const encodePath = (p: string) => p.split('/').map(encodeURIComponent).join('/');
