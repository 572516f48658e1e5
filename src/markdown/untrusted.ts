/**
 * Untrusted text in GitHub Markdown: anything a repository or a pull request supplies (paths,
 * stage and binary names, commands, file names, reasons quoting them, log tails). Such a value can
 * hold a line break (git allows them in file names), backticks, HTML, an HTML comment or a mention;
 * raw in a body it could start a line of its own (a ticked `- [x]` box), hide everything up to the
 * next `-->`, forge one of the bot's markers, or notify a team. Every writer of Markdown puts such
 * values through one of these functions, never through an escaper of its own.
 *
 * Line breaks are neutralised in every inline form (a value never starts a line), and `<!--` never
 * reaches the output in the raw, not even inside code, so a reader scanning the raw text cannot
 * mistake a value for something the bot wrote.
 */

/** Every character that ends a line for a Markdown renderer or for a human reading the raw text. */
const LINE_BREAK = /\r\n|[\n\r\v\f\u0085\u2028\u2029]/g;
/** Shown where a value had a line break, so a reader sees that it had one. */
export const LINE_BREAK_SIGN = '⏎';

/** Between `@` and a name, or `#` and a number: GitHub no longer links or notifies, and a reader sees the same text. */
const ZWJ = '\u200d';

// `<!--` split by a zero-width joiner: still `<!--` to a reader, no longer a comment to anything
// that reads the raw text (GitHub's renderer, the bot's marker reader).
const breakComments = (s: string) => s.replace(/<!--/g, `<${ZWJ}!--`);

/** One line: line breaks shown as LINE_BREAK_SIGN, other whitespace runs as one space, trimmed. */
function oneLineSigned(value: string): string {
  return value.replace(LINE_BREAK, LINE_BREAK_SIGN).replace(/\s+/g, ' ').trim();
}

/** One line: line breaks and whitespace runs as one space, trimmed (prose reads on). */
function oneLineSpaced(value: string): string {
  return value.replace(LINE_BREAK, ' ').replace(/\s+/g, ' ').trim();
}

export interface CodeOptions {
  /** The span sits in a table cell: a `|` would end the cell, even inside code. */
  inTable?: boolean;
}

/**
 * An inline code span that the value cannot close: the fence is one backtick longer than the
 * longest run of backticks in the value, and the value is padded with a space where it starts or
 * ends with a backtick or a space (CommonMark strips one space from each side, and a backtick next
 * to the fence would lengthen it). Inside code nothing renders, so HTML and mentions are inert.
 */
export function code(value: string, o: CodeOptions = {}): string {
  let text = breakComments(oneLineSigned(value));
  if (o.inTable) text = text.replace(/\|/g, '\\|');
  // A code span cannot be empty: two backticks side by side are a fence of length two.
  if (!text) return '` `';
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(text) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/**
 * Plain text in a paragraph, list item or table cell, when code does not fit (prose that quotes a
 * value, such as a reason or a status): one line, no HTML (`<`, `>` and `&` as entities), no
 * emphasis, link, code or table syntax of its own, nothing at its start that opens a block, and
 * no mention or issue reference that GitHub would link and notify.
 */
export function text(value: string): string {
  return oneLineSpaced(value)
    .replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'))
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/([@#])(?=[\p{L}\p{N}_])/gu, `$1${ZWJ}`)
    // At the start of a line these open a heading, a quote, a list or a thematic break.
    .replace(/^([#>+=-])/, '\\$1')
    // An ordered list marker needs a space or the end after it (`7.0×` is no list).
    .replace(/^(\d+)([.)])(?=\s|$)/, '$1\\$2');
}

/**
 * A fenced code block for multi-line untrusted text (a diff, a log tail): the fence is longer than
 * any run of backticks in the text, so no line of it closes the block. `info` is the bot's own.
 * Line breaks are kept; a `<!--` is broken up unless the text must stay `exact`.
 */
export function codeBlock(value: string, info = '', o: { exact?: boolean } = {}): string {
  // `exact`: the text is applied as it is (a ```suggestion```), so nothing in it may change.
  const body = o.exact ? value.replace(/\n$/, '') : breakComments(value.replace(/\r\n|[\r\u2028\u2029]/g, '\n')).replace(/\n+$/, '');
  const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${body}\n${fence}`;
}

/** Text inside the bot's own HTML (a `<summary>`): one line, every character HTML (or a Markdown reader of it) gives a meaning escaped. */
export function html(value: string): string {
  // Mentions first: the entities this writes have a `#` of their own.
  return oneLineSpaced(value)
    .replace(/([@#])(?=[\p{L}\p{N}_])/gu, `$1${ZWJ}`)
    .replace(/[&<>"'`]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' })[c]!);
}

/**
 * A link whose target came from outside the bot (a result file, an API response): linked only when
 * it is a plain http(s) URL that cannot end the link early; otherwise the label alone. The label
 * is the bot's own Markdown.
 */
export function link(label: string, url: string): string {
  return /^https?:\/\/[^\s()<>\\`]+$/.test(url) ? `[${label}](${url})` : label;
}

/**
 * JSON for the inside of one of the bot's HTML comments (its markers): the characters that could
 * end the comment (`--`, `>`), open another, or mean anything to a reader of the raw text (`<`,
 * `&`, `@`, a backtick) are written as JSON escapes, so the comment reads back the same value and
 * its raw text holds nothing a repository value brought.
 */
export function commentJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/[<>&@`]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/--/g, '-\\u002d');
}
