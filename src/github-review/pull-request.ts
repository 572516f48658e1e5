/**
 * `review --pr OWNER/REPO#N`: the rule set on a pull request's changed Dockerfiles at its head,
 * posted as one review. Findings on lines of the diff become inline comments (GitHub refuses
 * comments elsewhere: those go into the review body). Where a rule has a mechanical fix, the
 * comment carries a ```suggestion``` block the author applies with one click. Every finding
 * carries a hidden marker, so a re-run posts only what is new (a marker counts only in what the
 * bot itself posted), and nothing anyone wrote is resolved, edited or deleted.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { parseRepoName, type RepoName } from '../config/names.ts';
import type { Platform } from '../platform/types.ts';
import { buildFacts, collectBuildFiles } from '../dockerfile/build-files.ts';
import { isDockerfileName } from '../review/checkout.ts';
import { reviewText, type Finding } from '../review/review.ts';
import type { ReviewOptions } from '../review/types.ts';
import { code, codeBlock, text as plain } from '../markdown/untrusted.ts';
import { findingMark as MARK, postedFindings } from '../delivery/marker.ts';

export interface PrRef {
  repo: RepoName;
  number: number;
}

export function parsePrRef(text: string): PrRef {
  const m = /^([^/\s#]+\/[^/\s#]+)#(\d+)$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a pull request: write OWNER/REPO#NUMBER, e.g. rancher/image-build-coredns#12`);
  return { repo: parseRepoName(m[1]!), number: Number(m[2]) };
}

export interface PrReviewResult {
  findings: Finding[];
  /** Posted this run, inline and in the body. */
  inline: number;
  inBody: number;
  /** Already posted by an earlier run (same marker, in a comment or review the bot authored). */
  alreadyPosted: number;
  /** Who the bot is on GitHub; undefined when GitHub does not say (then no earlier post is trusted). */
  login?: string;
  reviewed: string[];
  /** Changed Dockerfiles over MAX_REVIEWED_BYTES, with their size: named, not reviewed. */
  tooLarge: string[];
}

/** Larger files are named in the review, not reviewed. */
export const MAX_REVIEWED_BYTES = 1_000_000;
/** Inline comments in one review. */
export const MAX_INLINE = 50;
/** GitHub's limit on a review body. */
export const MAX_REVIEW_BODY = 65_536;

export async function reviewPullRequest(platform: Platform, ref: PrRef, opts: ReviewOptions = {}): Promise<PrReviewResult> {
  const pr = await platform.getPull(ref.repo, ref.number);
  const files = (await platform.listPullFiles(ref.repo, ref.number)).filter((f) => f.status !== 'removed' && isDockerfileName(path.posix.basename(f.filename)));
  // The head's Makefile and workflows, read by the module `migrate` and a folder's review read
  // them with: the build-args they pass decide findings (a CGO_ENABLED=1, say), so all three agree.
  const build = buildFacts(await collectBuildFiles({
    read: (rel) => platform.getFile(ref.repo, rel, pr.headSha),
    list: (dir) => platform.listFolder(ref.repo, dir, pr.headSha),
  }));
  const findings: Finding[] = [];
  const texts = new Map<string, string[]>();
  const diffLines = new Map<string, Set<number>>();
  const tooLarge: string[] = [];
  for (const f of files) {
    const text = await platform.getFile(ref.repo, f.filename, pr.headSha);
    if (text === undefined) continue;
    // A Dockerfile of megabytes is not a Dockerfile anyone reviews: said, not parsed (a 26 MB one
    // once took 15 s and 1.3 GB).
    if (text.length > MAX_REVIEWED_BYTES) {
      tooLarge.push(`${f.filename} (${text.length.toLocaleString('en-US')} characters)`);
      continue;
    }
    texts.set(f.filename, text.split(/\r?\n/));
    diffLines.set(f.filename, rightLines(f.patch ?? ''));
    findings.push(...reviewText(text, f.filename, { ...build, ...opts }));
  }
  const [comments, reviews, login] = await Promise.all([platform.listReviewComments(ref.repo, ref.number), platform.listReviews(ref.repo, ref.number), platform.login()]);
  const posted = postedFindings([...comments, ...reviews], login);

  const inline: { path: string; line: number; body: string }[] = [];
  const inBody: string[] = [];
  let alreadyPosted = 0;
  const fresh: Finding[] = [];
  for (const f of findings) {
    if (posted.has(findingKey(f, texts.get(f.file)![f.line - 1] ?? ''))) alreadyPosted++;
    else fresh.push(f);
  }
  // One suggestion per line: GitHub applies each on its own, and two on one line undo each other
  // (applying one brought back the line the other fixed). The line's fixes go into one, carried by
  // the first comment that has a fix; the other comments of that line point at it.
  const fixes = lineFixes(fresh.filter((f) => diffLines.get(f.file)?.has(f.line)), texts);
  for (const f of fresh) {
    const lines = texts.get(f.file)!;
    const key = findingKey(f, lines[f.line - 1] ?? '');
    // The rules' messages and hints quote the Dockerfile (stage names, commands): plain text.
    const finding = `**${f.severity}** ${code(f.rule)}: ${plain(f.message)}`;
    const hint = `${plain(f.hint)} ([docs](${f.docs}))`;
    if (diffLines.get(f.file)?.has(f.line)) {
      const fix = fixes.get(`${f.file}\0${f.line}`);
      const others = fix ? fix.fixed.filter((x) => x !== f).map((x) => code(x.rule)) : [];
      const tail = !fix || !fix.fixed.includes(f)
        ? ''
        : fix.carrier === f
          ? `${others.length ? `\n\nThis suggestion also fixes ${others.join(', ')} on this line.` : ''}\n\n${codeBlock(fix.text, 'suggestion', { exact: true })}`
          : `\n\nThe suggestion in the ${code(fix.carrier.rule)} comment on this line fixes this too.`;
      inline.push({ path: f.file, line: f.line, body: `${MARK(key)}\n${finding}\n\n${hint}${tail}` });
    } else {
      inBody.push(`- ${MARK(key)} ${code(`${f.file}:${f.line}`)} ${finding} — ${hint}`);
    }
  }
  // Beyond these, a review is refused whole by GitHub (nothing posted) or unreadable: the rest
  // is counted in the body, and every finding is still printed and decides the exit code.
  const postedInline = inline.slice(0, MAX_INLINE);
  const notPosted = inline.length - postedInline.length;
  let inBodyPosted = 0;
  if (inline.length || inBody.length || tooLarge.length) {
    const errors = findings.filter((f) => f.severity === 'error').length;
    const head = [
      `The cross-compilation rule set of image-build-migrator on the Dockerfiles changed here: ${errors} error${errors === 1 ? '' : 's'}, ${findings.length - errors} warning${findings.length - errors === 1 ? '' : 's'} at ${pr.headSha.slice(0, 12)}.`,
      ...tooLarge.map((t) => `\nNot reviewed, over the ${MAX_REVIEWED_BYTES.toLocaleString('en-US')}-character limit: ${code(t)}.`),
      ...(notPosted ? [`\n${notPosted} more finding${notPosted === 1 ? '' : 's'} on lines of this diff ${notPosted === 1 ? 'is' : 'are'} not posted as comments (at most ${MAX_INLINE} per review): run \`npm run review\` on the files to see all.`] : []),
    ];
    const listed: string[] = [];
    let size = head.join('\n').length + 200;
    for (const line of inBody) {
      if (size + line.length + 1 > MAX_REVIEW_BODY) break;
      listed.push(line);
      size += line.length + 1;
    }
    const cut = inBody.length - listed.length;
    inBodyPosted = listed.length;
    const body = [
      ...head,
      ...(listed.length ? ['', 'On lines outside this diff:', '', ...listed] : []),
      ...(cut ? ['', `… and ${cut} more finding${cut === 1 ? '' : 's'} outside this diff, left out: GitHub limits a review body to ${MAX_REVIEW_BODY.toLocaleString('en-US')} characters.`] : []),
    ].join('\n');
    await platform.createReview(ref.repo, ref.number, { commitId: pr.headSha, body, event: 'COMMENT', comments: postedInline });
  }
  return { findings, inline: postedInline.length, inBody: inBodyPosted, alreadyPosted, reviewed: [...texts.keys()], tooLarge, ...(login ? { login } : {}) };
}

/** The same finding on the same text keeps its key when lines above it move. */
function findingKey(f: Finding, line: string): string {
  return createHash('sha256').update(`${f.rule}\0${f.file}\0${line.trim()}`).digest('hex').slice(0, 16);
}

/** Lines of the new file that the diff shows (added or context): where GitHub accepts a comment. */
export function rightLines(patch: string): Set<number> {
  const out = new Set<number>();
  let line = 0;
  for (const l of patch.split('\n')) {
    const h = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(l);
    if (h) {
      line = Number(h[1]);
      continue;
    }
    if (l.startsWith('-') || l.startsWith('\\')) continue;
    if (l.startsWith('+') || l.startsWith(' ')) out.add(line++);
  }
  return out;
}

/**
 * Per line (`file\0line`), the one suggestion that applies every mechanical fix of its findings,
 * each fix applied to what the previous one left, and which finding's comment carries it.
 */
export function lineFixes(findings: Finding[], texts: Map<string, string[]>): Map<string, { text: string; carrier: Finding; fixed: Finding[] }> {
  const out = new Map<string, { text: string; carrier: Finding; fixed: Finding[] }>();
  const byLine = new Map<string, Finding[]>();
  for (const f of findings) {
    const k = `${f.file}\0${f.line}`;
    byLine.set(k, [...(byLine.get(k) ?? []), f]);
  }
  for (const [k, fs] of byLine) {
    const original = texts.get(fs[0]!.file)?.[fs[0]!.line - 1] ?? '';
    let current = original;
    const above: string[] = [];
    const fixed: Finding[] = [];
    for (const f of fs) {
      const s = suggestion(f, current);
      if (s === undefined) continue;
      const parts = s.split('\n');
      current = parts.pop()!;
      for (const p of parts) if (!above.includes(p)) above.push(p);
      fixed.push(f);
    }
    if (fixed.length) out.set(k, { text: [...above, current].join('\n'), carrier: fixed[0]!, fixed });
  }
  return out;
}

/**
 * The fixed line, where the fix is mechanical and the whole fix; undefined otherwise. Not
 * `install -s` -> `install`: without the strip stage it would ship unstripped binaries.
 */
export function suggestion(f: Finding, line: string): string | undefined {
  switch (f.rule) {
    case 'from-as-casing':
    case 'stage-name-casing': {
      const upper = /^\s*FROM\b/.test(line);
      return f.rule === 'from-as-casing' ? line.replace(/(\s)as(\s)/i, `$1${upper ? 'AS' : 'as'}$2`) : undefined;
    }
    case 'xx-go-wrap-swallows-command':
      return /xx-go\s+--wrap\s*\\\s*$/.test(line) ? line.replace(/xx-go\s+--wrap\s*\\\s*$/, 'xx-go --wrap && \\') : undefined;
    case 'xx-without-target-arg':
    case 'compile-stage-without-target-arg':
    case 'platform-arg-undeclared': {
      if (/^\s*FROM\b/i.test(line)) return undefined;
      const name = /\b(TARGET(?:PLATFORM|ARCH|OS|VARIANT))\b/.exec(f.message)?.[1] ?? 'TARGETPLATFORM';
      const indent = /^\s*/.exec(line)![0];
      return `${indent}ARG ${name}\n${line}`;
    }
    default:
      return undefined;
  }
}
