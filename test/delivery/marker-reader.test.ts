// The one reader of the bot's markers: each is read only where the bot writes it.
import { describe, expect, it } from 'vitest';
import { renderDashboard, parseRows } from '../../src/delivery/dashboard.ts';
import { botCommented, parseMarker, rebaseCheckbox, rebaseTicked, renderMarker, replaceMarker, STOPPED_MARK, type Marker } from '../../src/delivery/marker.ts';
import { HOSTILE } from '../helpers/hostile.ts';

const marker: Marker = { v: 2, tool: '0.1.0', recipes: ['xx-stage'], base: 'a'.repeat(40), result: 'r', pushed: 'b'.repeat(40), timing: '' };
/** The shape of the bot's body: its text, then its own section below `---`, the marker last. */
const body = (o: { middle?: string[]; ticked?: boolean; tail?: string[] } = {}) =>
  ['intro', '', '### What changed, and why', '', ...(o.middle ?? []), '', '---', '', rebaseCheckbox(o.ticked), '', '<sub>Opened by image-build-migrator 0.1.0.</sub>', '', renderMarker(marker), ...(o.tail ?? [])].join('\n');
const TICKED_LINE = '- [x] <!-- image-build-migrator:rebase -->';

describe('the state marker: the last line that is the marker alone', () => {
  it('is read there, also after a web edit (\\r\\n line ends, trailing blank lines)', () => {
    expect(parseMarker(body())).toEqual(marker);
    expect(parseMarker(body().replace(/\n/g, '\r\n'))).toEqual(marker);
    expect(parseMarker(`${body()}\n\n`)).toEqual(marker);
  });

  it('a marker anywhere else is nothing, and one above the bot\'s does not replace it', () => {
    expect(parseMarker(body({ middle: [HOSTILE.stateMarker] }))).toEqual(marker);
    // A human may add below it; the bot's marker stays the last of its kind.
    expect(parseMarker(body({ tail: ['a line a human added below'] }))).toEqual(marker);
    // On a line with anything else (where a value lands, quoted in code or text), it is nothing.
    expect(parseMarker(`text \`${renderMarker(marker)}\``)).toBeUndefined();
    expect(parseMarker(`- ${renderMarker(marker)}`)).toBeUndefined();
  });

  it('is replaced where it is, and nowhere else', () => {
    const forged = body({ middle: [HOSTILE.stateMarker] });
    const out = replaceMarker(forged, { ...marker, closed: 'why' });
    expect(parseMarker(out)).toEqual({ ...marker, closed: 'why' });
    expect(out).toContain(HOSTILE.stateMarker);
    expect(out.split('\n').length).toBe(forged.split('\n').length);
  });
});

describe('the rebase box: the bot\'s own section only', () => {
  it('reads the bot\'s box, ticked or not', () => {
    expect(rebaseTicked(body())).toBe(false);
    expect(rebaseTicked(body({ ticked: true }))).toBe(true);
    expect(rebaseTicked(body({ ticked: true }).replace(/\n/g, '\r\n'))).toBe(true);
  });

  it('a ticked box among the values, in a code block or after the marker is nothing', () => {
    expect(rebaseTicked(body({ middle: [TICKED_LINE] }))).toBe(false);
    expect(rebaseTicked(body({ middle: ['```', '---', TICKED_LINE, '```'] }))).toBe(false);
    expect(rebaseTicked(body({ middle: HOSTILE.rebaseBox.split('\n') }))).toBe(false);
    expect(rebaseTicked(`${TICKED_LINE}\n${renderMarker(marker)}`)).toBe(false);
    expect(rebaseTicked(body({ ticked: true, tail: ['a line a human added below'] }))).toBe(true);
    expect(rebaseTicked(body({ tail: [TICKED_LINE] }))).toBe(false);
    expect(rebaseTicked(TICKED_LINE)).toBe(false);
  });
});

describe('comment marks: the first line of a comment by the bot', () => {
  const bot = 'image-build-migrator[bot]';
  it('a mark counts only in the bot\'s own comment, as its first line', () => {
    expect(botCommented([{ author: bot, body: `${STOPPED_MARK}\nstopped` }], STOPPED_MARK, bot)).toBe(true);
    expect(botCommented([{ author: 'a-contributor', body: `${STOPPED_MARK}\nstopped` }], STOPPED_MARK, bot)).toBe(false);
    expect(botCommented([{ author: bot, body: `quoting: ${STOPPED_MARK}` }], STOPPED_MARK, bot)).toBe(false);
  });
});

describe('the dashboard marker: the last line that is the marker alone', () => {
  it('rows are read from the bot\'s marker, not from one a status carries above it', () => {
    const input = { repo: 'o/r', title: 't', now: '2026-01-02T00:00:00Z', repos: [{ name: 'rancher/image-build-a', outcome: 'skipped' as const, reason: 'x' }] };
    const real = renderDashboard(input);
    const forged = real.replace('| repository |', '<!-- image-build-migrator:dashboard {"rancher/image-build-a":{"status":"merged","at":"x"}} -->\n\n| repository |');
    expect(parseRows(forged)).toEqual(parseRows(real));
    expect(parseRows(forged)['rancher/image-build-a']!.status).toBe('skipped: x');
    expect(parseRows(`${real}\nmore`)).toEqual(parseRows(real));
    expect(parseRows(forged.replace(/\n<!-- image-build-migrator:dashboard [^\n]*$/, ''))).toEqual({ 'rancher/image-build-a': { status: 'merged', at: 'x' } });
  });
});
