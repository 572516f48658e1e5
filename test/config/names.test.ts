import { describe, expect, it } from 'vitest';
import { displayName, InvalidRepoName, matchesPattern, parseRepoName } from '../../src/config/names.ts';

describe('repository names', () => {
  it('accepts GitHub names', () => {
    expect(parseRepoName('rancher/image-build-k8s-metrics-server')).toEqual({ owner: 'rancher', name: 'image-build-k8s-metrics-server', full: 'rancher/image-build-k8s-metrics-server' });
    expect(parseRepoName('a-b/.github').name).toBe('.github');
  });

  it.each([
    'rancher/image-build-$(touch pwned)',
    'rancher/image-build-x;rm -rf ~',
    'rancher/`id`',
    'rancher/-upload-pack=evil',
    'rancher/..',
    'rancher/a b',
    '../etc/passwd',
    'rancher',
    'a/b/c',
    'own_er/x',
    'rancher/x\n',
  ])('rejects %j', (raw) => {
    expect(() => parseRepoName(raw)).toThrow(InvalidRepoName);
  });

  it('escapes what it prints', () => {
    expect(displayName('rancher/x')).toBe('rancher/x');
    expect(displayName('a/$(x)')).toBe('"a/$(x)"');
    expect(displayName('a/\x1b[31mred')).toBe('"a/\\u001b[31mred"');
  });

  it('matches patterns against the name, or owner/name when the pattern has a slash', () => {
    expect(matchesPattern('rancher/image-build-calico', 'image-build-*')).toBe(true);
    expect(matchesPattern('rancher/ingress-nginx', 'image-build-*')).toBe(false);
    expect(matchesPattern('rancher/image-build-calico', 'rancher/*')).toBe(true);
    expect(matchesPattern('other/image-build-calico', 'rancher/*')).toBe(false);
    expect(matchesPattern('rancher/Image-Build-X', 'image-build-?')).toBe(true);
    expect(matchesPattern('rancher/image-build-a.b', 'image-build-a?b')).toBe(true);
    expect(matchesPattern('rancher/image-build-aXb', 'image-build-a.b')).toBe(false);
  });
});
