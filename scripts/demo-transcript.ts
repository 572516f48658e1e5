/**
 * What the demo leaves for a person to read: every PR body, comment, review (with its inline
 * comments) and issue the bot wrote on the local GitHub, one Markdown file each, and an index.
 * The files hold the text exactly as GitHub would store it, so what is read is what was posted.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LocalGitHub } from './local-github/github.ts';

/** Writes the files under `dir`; returns how many (the index included). */
export function writeTranscript(gh: LocalGitHub, dir: string, repos: string[]): number {
  const index = ['# What the demo left on the local GitHub', '', 'One file per pull request body, comment, review and issue, as posted.', ''];
  let count = 0;
  const write = (rel: string, text: string) => {
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
    count++;
  };
  for (const full of repos) {
    const folder = full.replace('/', '--');
    const pulls = gh.pullsOf(full);
    const issues = gh.issuesOf(full);
    if (!pulls.length && !issues.length) continue;
    index.push(`## ${full}`, '');
    for (const pr of pulls) {
      const base = `${folder}/pr-${pr.number}`;
      const files = gh.filesOf(full, pr.number).map((f) => `${f.filename} (+${f.additions} -${f.deletions})`).join(', ');
      write(`${base}.md`, [
        `<!-- ${full}#${pr.number}: ${pr.state}${pr.merged ? ', merged' : ''}${pr.draft ? ', draft' : ''}; head ${pr.head} -> ${pr.base}; labels: ${pr.labels.join(', ') || '-'}; reviewers requested: ${pr.requested_reviewers.join(', ') || '-'}; files: ${files || '-'} -->`,
        `# ${pr.title}`,
        '',
        pr.body,
      ].join('\n'));
      index.push(`- [#${pr.number} ${pr.title}](${base}.md) (${pr.state}${pr.draft ? ', draft' : ''}, by ${pr.user})`);
      pr.comments.forEach((c, i) => {
        write(`${base}-comment-${i + 1}.md`, `<!-- comment by ${c.user} at ${c.created_at} -->\n${c.body}`);
        index.push(`  - [comment ${i + 1}](${base}-comment-${i + 1}.md) by ${c.user}`);
      });
      pr.reviews.forEach((r, i) => {
        const inline = pr.reviewComments.filter((c) => c.review_id === r.id);
        write(`${base}-review-${i + 1}.md`, [
          `<!-- review by ${r.user} (${r.state}) on ${r.commit_id.slice(0, 12)} -->`,
          r.body,
          ...inline.flatMap((c) => ['', '---', '', `**\`${c.path}\` line ${c.line}**`, '', c.body]),
        ].join('\n'));
        index.push(`  - [review ${i + 1}](${base}-review-${i + 1}.md) by ${r.user}, ${inline.length} inline comment${inline.length === 1 ? '' : 's'}`);
      });
    }
    for (const issue of issues) {
      const base = `${folder}/issue-${issue.number}`;
      write(`${base}.md`, [`<!-- ${full}#${issue.number}: ${issue.state}; labels: ${issue.labels.join(', ') || '-'} -->`, `# ${issue.title}`, '', issue.body].join('\n'));
      index.push(`- [issue #${issue.number} ${issue.title}](${base}.md)`);
      issue.comments.forEach((c, i) => {
        write(`${base}-comment-${i + 1}.md`, `<!-- comment by ${c.user} at ${c.created_at} -->\n${c.body}`);
        index.push(`  - [comment ${i + 1}](${base}-comment-${i + 1}.md) by ${c.user}`);
      });
    }
    index.push('');
  }
  write('README.md', index.join('\n'));
  return count;
}
