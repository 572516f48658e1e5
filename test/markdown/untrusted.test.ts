import { describe, expect, it } from 'vitest';
import { code, codeBlock, commentJson, html, LINE_BREAK_SIGN, link, text } from '../../src/markdown/untrusted.ts';
import { HOSTILE } from '../helpers/hostile.ts';
import { codeSpans, outsideCode } from '../helpers/markdown.ts';

const BREAKS = ['\n', '\r', '\r\n', '\u2028', '\u2029', '\u0085', '\v', '\f'];

describe('code(): an inline code span the value cannot close', () => {
  it('holds exactly the value, whatever backtick runs it has, including at its ends', () => {
    for (const value of ['plain', HOSTILE.backticks, '`', '``', '`start', 'end`', '` both `', 'x````y']) {
      const spans = codeSpans(code(value));
      expect(spans, value).toHaveLength(1);
      expect(spans[0]!.start).toBe(0);
      expect(spans[0]!.end).toBe(code(value).length);
      expect(spans[0]!.content, value).toBe(value.trim());
    }
    expect(code('plain')).toBe('`plain`');
    expect(code('a`b')).toBe('``a`b``');
  });

  it('never lets a value start a line: every line break is one visible sign', () => {
    for (const br of BREAKS) {
      const out = code(`build${br}- [x] box`);
      expect(out.split(/\r\n|[\n\r\v\f\u0085\u2028\u2029]/), JSON.stringify(br)).toHaveLength(1);
      expect(out).toBe(`\`build${LINE_BREAK_SIGN}- [x] box\``);
    }
  });

  it('leaves no raw `<!--`, and escapes a pipe only in a table cell', () => {
    expect(code(HOSTILE.stateMarker)).not.toContain('<!--');
    expect(code(HOSTILE.mention)).not.toContain('<!--');
    expect(code('a|b')).toBe('`a|b`');
    expect(code('a|b', { inTable: true })).toBe('`a\\|b`');
  });

  it('is never empty (two backticks are a fence, not a span)', () => {
    expect(codeSpans(`x ${code('')} y`)).toHaveLength(1);
    expect(codeSpans(`x ${code(' \n ')} y`)).toHaveLength(1);
  });
});

describe('text(): plain text that renders as itself', () => {
  it('has no HTML, comment, mention or issue reference left', () => {
    const out = text(HOSTILE.mention);
    expect(out).not.toMatch(/[<>]/);
    expect(out).not.toContain('@rancher/');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(text('fixes #12 and @octocat')).not.toMatch(/#1|@o/);
    expect(text('a & b')).toBe('a &amp; b');
  });

  it('cannot open a code span, emphasis, link, table cell or block of its own', () => {
    expect(outsideCode(text(HOSTILE.backticks))).toBe(text(HOSTILE.backticks));
    expect(text('*a* _b_ [c](d) |e| ~f~ \\')).toBe('\\*a\\* \\_b\\_ \\[c\\](d) \\|e\\| \\~f\\~ \\\\');
    for (const start of ['# h', '> q', '- l', '+ l', '= u', '1. o', '2) o']) expect(text(start), start).not.toMatch(/^([#>+=-]|\d+[.)])/);
  });

  it('is one line: line breaks read on as spaces', () => {
    for (const br of BREAKS) expect(text(`one${br}- [x] two`)).toBe('one - \\[x\\] two');
    expect(text(HOSTILE.rebaseBox)).not.toMatch(/\n|<!--/);
  });
});

describe('codeBlock() and html()', () => {
  it('a block no line of the text closes, with no raw `<!--`', () => {
    const block = codeBlock('```\n````\n<!-- image-build-migrator:rebase -->\n', 'diff');
    const lines = block.split('\n');
    expect(lines[0]).toBe('`````diff');
    expect(lines.at(-1)).toBe('`````');
    expect(outsideCode(block)).toBe('');
    expect(block).not.toContain('<!--');
  });

  it('html() escapes what HTML gives a meaning and neutralises mentions', () => {
    expect(html('<b a="1">\'&@team')).toBe('&lt;b a=&quot;1&quot;&gt;&#39;&amp;@\u200dteam');
  });
});

describe('commentJson() and link()', () => {
  it('JSON inside an HTML comment: reads back the same value, and holds no character a value could end or open a comment with', () => {
    const value = { closed: `${HOSTILE.stateMarker} ${HOSTILE.mention} ${HOSTILE.backticks} ---> &` };
    const json = commentJson(value);
    expect(JSON.parse(json)).toEqual(value);
    expect(json).not.toMatch(/--|[<>&@`]/);
  });

  it('links only a plain http(s) URL; anything else is the label alone', () => {
    expect(link('#3', 'https://github.com/o/r/pull/3')).toBe('[#3](https://github.com/o/r/pull/3)');
    for (const url of ['javascript:alert(1)', 'https://x/a) [y](https://evil', 'https://x/a\n- [x]', 'https://x/<!--', 'data:text/html,x']) expect(link('#3', url), url).toBe('#3');
  });
});
