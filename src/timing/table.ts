/**
 * The Markdown the PR body and the run summary show: one row per platform (before, after,
 * speedup, parity = that platform's after / amd64's after), the slowest steps of each variant on
 * the slowest platform, and what was not measured and why. A repository with several timed
 * Dockerfiles or targets gets one titled part each.
 */
import { code, codeBlock, text } from '../markdown/untrusted.ts';
import { formatRatio, formatSeconds } from './format.ts';
import { measurement, sameSection, sectionsOf, sectionTitle, type Measurement, type Section, type TimingResult } from './result.ts';

function cell(m: Measurement | undefined): string {
  if (!m) return 'not measured';
  if (m.status === 'timeout') return `> ${formatLimit(m.timeoutSeconds)}`;
  if (m.status === 'failed') return `failed${m.failedStep ? ` at ${code(short(m.failedStep), { inTable: true })}` : ''}`;
  return formatSeconds(m.wallSeconds);
}

/** A timeout as configured: 60m, not 1h00m. */
const formatLimit = (s: number) => (s % 60 === 0 ? `${s / 60}m` : formatSeconds(s));

// Steps and errors are the Dockerfile's commands and the build's words: long ones are cut, never left raw.
const short = (s: string) => s.replace(/\s+/g, ' ').slice(0, 80);

function renderSection(result: TimingResult, section: Section): string[] {
  const lines: string[] = [];
  const at = (variant: 'before' | 'after', platform: string) => measurement(result, variant, platform, section);
  const amd64After = at('after', 'linux/amd64');
  lines.push('| platform | before | after | speedup | parity |', '|---|---:|---:|---:|---:|');
  for (const platform of result.platforms) {
    const b = at('before', platform);
    const a = at('after', platform);
    const speedup = b?.status === 'ok' && a?.status === 'ok' && a.wallSeconds > 0 ? formatRatio(b.wallSeconds / a.wallSeconds) : b?.status === 'timeout' && a?.status === 'ok' ? `> ${formatRatio(b.timeoutSeconds / a.wallSeconds)}` : '–';
    const parity = a?.status === 'ok' && amd64After?.status === 'ok' && amd64After.wallSeconds > 0 ? (a.wallSeconds / amd64After.wallSeconds).toFixed(2) : '–';
    lines.push(`| ${platform} | ${cell(b)} | ${cell(a)} | ${speedup} | ${parity} |`);
  }

  const slowPlatform = [...result.platforms].sort((x, y) => (at('before', y)?.wallSeconds ?? 0) - (at('before', x)?.wallSeconds ?? 0))[0];
  for (const variant of ['before', 'after'] as const) {
    const m = slowPlatform ? at(variant, slowPlatform) : undefined;
    if (!m || m.slowestSteps.length === 0) continue;
    lines.push('', `Slowest steps ${variant}, ${slowPlatform}:`, '');
    for (const s of m.slowestSteps) lines.push(`- ${formatSeconds(s.seconds)} ${code(short(s.name))}`);
  }

  const failures = result.measurements.filter((m) => m.status === 'failed' && sameSection(m, section));
  for (const m of failures) {
    lines.push('', `${m.variant} ${m.platform} failed${m.failedStep ? ` at ${code(short(m.failedStep))}` : ''}${m.error ? `: ${text(short(m.error))}` : ''}`);
    if (m.logTail?.length) lines.push('', codeBlock(m.logTail.join('\n')));
  }
  return lines;
}

export function renderTimingTable(result: TimingResult): string {
  const sections = sectionsOf(result);
  // One Dockerfile, one target: the table alone; more: one titled part each, in build order.
  const lines: string[] = sections.length === 1 ? renderSection(result, sections[0]!) : sections.flatMap((s, i) => [...(i ? [''] : []), `**${text(short(sectionTitle(s)))}**`, '', ...renderSection(result, s)]);

  const notMeasured = [...result.notMeasured];
  const prefix = (m: Measurement) => (sections.length > 1 ? sectionTitle(m) + ' ' : '');
  for (const m of result.measurements) if (m.status === 'timeout') notMeasured.push({ what: prefix(m) + `${m.variant} ${m.platform}`, why: `stopped after ${formatLimit(m.timeoutSeconds)}` });
  if (notMeasured.length > 0) {
    lines.push('', 'Not measured:', '');
    for (const n of notMeasured) lines.push(`- ${text(n.what)}: ${text(n.why)}`);
  }
  const reused = result.reused ? ', reused: nothing changed since' : '';
  lines.push('', `<sub>Cold builds (${result.builder.kind} ${result.builder.version}, engine ${result.builder.engine}${result.baseCommit ? `, base ${result.baseCommit.slice(0, 12)}` : ''}${reused}; ${result.digest.slice(0, 19)})</sub>`);
  return lines.join('\n') + '\n';
}
