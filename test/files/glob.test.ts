// The one glob dialect of .dockerignore and the review action's `paths`.
import { describe, expect, it } from 'vitest';
import { globToRegExp } from '../../src/files/glob.ts';

const m = (glob: string, p: string) => globToRegExp(glob).test(p);

describe('globToRegExp', () => {
  it('* and ? stay inside one folder; ** spans any number of them', () => {
    expect(m('*.Dockerfile', 'x.Dockerfile')).toBe(true);
    expect(m('*.Dockerfile', 'a/x.Dockerfile')).toBe(false);
    expect(m('Dockerfile.?', 'Dockerfile.a')).toBe(true);
    expect(m('Dockerfile.?', 'Dockerfile.ab')).toBe(false);
    expect(m('**/Dockerfile', 'Dockerfile')).toBe(true);
    expect(m('**/Dockerfile', 'a/b/Dockerfile')).toBe(true);
    expect(m('images/**', 'images/a/b')).toBe(true);
  });

  it('[...] is a character class, [!...] and [^...] negate it', () => {
    expect(m('Dockerfile.[ab]', 'Dockerfile.a')).toBe(true);
    expect(m('Dockerfile.[ab]', 'Dockerfile.c')).toBe(false);
    expect(m('Dockerfile.[!ab]', 'Dockerfile.c')).toBe(true);
    expect(m('Dockerfile.[^ab]', 'Dockerfile.a')).toBe(false);
    expect(m('v[0-9].md', 'v7.md')).toBe(true);
  });

  it('a backslash escapes the next character; regex characters are literal', () => {
    expect(m('a\\*b', 'a*b')).toBe(true);
    expect(m('a\\*b', 'axb')).toBe(false);
    expect(m('a+b(c).Dockerfile', 'a+b(c).Dockerfile')).toBe(true);
    expect(m('a.b', 'axb')).toBe(false);
  });
});

describe('globToRegExp without globstar (shell globs, COPY sources) and case-insensitive (repository names)', () => {
  it('** stays inside one folder without globstar', () => {
    expect(globToRegExp('bin/**', { globstar: false }).test('bin/a')).toBe(true);
    expect(globToRegExp('bin/**', { globstar: false }).test('bin/a/b')).toBe(false);
    expect(globToRegExp('bin/**').test('bin/a/b')).toBe(true);
  });
  it('a class and an escape mean the same as in the shell', () => {
    expect(globToRegExp('bin/[ab]*', { globstar: false }).test('bin/actl')).toBe(true);
    expect(globToRegExp('bin/[ab]*', { globstar: false }).test('bin/cctl')).toBe(false);
    expect(globToRegExp('bin/\\*', { globstar: false }).test('bin/*')).toBe(true);
    expect(globToRegExp('bin/\\*', { globstar: false }).test('bin/x')).toBe(false);
  });
  it('ignoreCase for names GitHub compares without case', () => {
    expect(globToRegExp('Rancher/image-build-*', { ignoreCase: true }).test('rancher/IMAGE-BUILD-etcd')).toBe(true);
    expect(globToRegExp('Rancher/image-build-*').test('rancher/image-build-etcd')).toBe(false);
  });
});
