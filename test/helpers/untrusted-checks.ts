/**
 * What a writer must guarantee for untrusted values, checked on its raw output: the HTML comments
 * are the bot's own markers only, no task-list box is there but the bot's own, no code span is
 * opened or closed by a value, and no mention or HTML tag is left outside code.
 */
import { expect } from 'vitest';
import { outsideCode } from './markdown.ts';

/** A list item with a task box, as GitHub renders one (ticked or not). */
const BOX_LINE = /^\s*(?:[-*+]|\d+[.)])\s+\[[ xX]\]/;

export interface BotLines {
  /**
   * The lines the bot writes an HTML comment on (its markers), in order: exactly as written, or a
   * pattern where the rest of the line holds values (each such line still has one comment only).
   */
  comments: (string | RegExp)[];
  /** The bot's own task-box lines, as written (checklist and rebase box). */
  boxes?: string[];
}

export function expectInert(markdown: string, bot: BotLines, what: string): void {
  const commented = markdown.split(/\r\n|[\n\r\u2028\u2029]/).filter((l) => l.includes('<!--'));
  expect(commented.length, `${what}: lines with <!--: ${JSON.stringify(commented)}`).toBe(bot.comments.length);
  commented.forEach((l, i) => {
    const want = bot.comments[i]!;
    if (typeof want === 'string') expect(l, `${what}: marker line ${i}`).toBe(want);
    else expect(l, `${what}: marker line ${i}`).toMatch(want);
    expect(l.split('<!--'), `${what}: one comment on ${JSON.stringify(l)}`).toHaveLength(2);
  });
  // Inside a fenced block a line is text (a log line may be anything); outside, a box is a box.
  const rendered = outsideCode(markdown);
  expect(rendered.split('\n').filter((l) => BOX_LINE.test(l)), `${what}: task boxes`).toEqual((bot.boxes ?? []).map(outsideCode));
  expect(rendered, `${what}: a live mention`).not.toMatch(/@rancher\//);
  expect(rendered, `${what}: a live tag`).not.toMatch(/<img/);
  // A backtick left over outside every code span is a span a value opened or closed early.
  expect(rendered, `${what}: a stray backtick`).not.toMatch(/(^|[^\\])`/m);
}
