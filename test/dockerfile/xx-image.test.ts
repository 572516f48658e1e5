/** Which images count as the xx helper image: the tag may differ, the repository may not. */
import { describe, expect, it } from 'vitest';
import { imageRepository, isXxImage } from '../../src/dockerfile/analysis.ts';

describe('isXxImage', () => {
  const local = '127.0.0.1:5000/mirrored-tonistiigi-xx:1.6.1';

  it('a registry port is not a tag: other images of that registry are not xx', () => {
    expect(isXxImage('127.0.0.1:5000/hardened-build-base:v1.19.8b1', local)).toBe(false);
    expect(isXxImage('127.0.0.1:5000/busybox:1.35', local)).toBe(false);
  });

  it('the configured image under another tag or a digest is xx', () => {
    expect(isXxImage('127.0.0.1:5000/mirrored-tonistiigi-xx:1.5.0', local)).toBe(true);
    expect(isXxImage('127.0.0.1:5000/mirrored-tonistiigi-xx@sha256:0123', local)).toBe(true);
  });

  it('repository of a reference', () => {
    expect(imageRepository('127.0.0.1:5000/a/b:1.2')).toBe('127.0.0.1:5000/a/b');
    expect(imageRepository('127.0.0.1:5000/a/b')).toBe('127.0.0.1:5000/a/b');
    expect(imageRepository('alpine:3.20@sha256:00')).toBe('alpine');
  });
});
