import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { clearSecrets, redact, redactDeep, redactError, registerPrivateKey, registerSecret } from '../../src/secrets/redact.ts';

// Fake tokens, assembled so that secret scanners do not take the source for a leak.
const TOKEN = ['ghp', 'abcdefghijklmnopqrstuvwxyz0123456789'].join('_');

describe('redact', () => {
  afterEach(() => clearSecrets());

  it('masks a registered secret in any of the encodings we hand out', () => {
    registerSecret('s3cr3t-value-not-token-shaped');
    const basic = Buffer.from('x-access-token:s3cr3t-value-not-token-shaped').toString('base64');
    expect(redact('token s3cr3t-value-not-token-shaped and Basic ' + basic)).not.toMatch(/s3cr3t|${basic}/);
    expect(redact(`x=${encodeURIComponent('a/b+c=secret')}`)).toContain('a%2Fb');
    registerSecret('a/b+c=secret');
    expect(redact(`x=${encodeURIComponent('a/b+c=secret')}`)).toBe('x=***');
  });

  it("masks a GitHub App's private key whole, escaped, and any line or fragment of its body; its BEGIN line stays readable", () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const escaped = privateKey.replace(/\n/g, '\\n');
    const line = privateKey.split('\n')[5]!;
    expect(redact(`key: ${line}`)).toBe(`key: ${line}`);
    registerPrivateKey(escaped);
    expect(redact(`a ${privateKey} b`)).toBe('a *** b');
    expect(redact(`a ${escaped} b`)).toBe('a *** b');
    expect(redact(`key: ${line}`)).toBe('key: ***');
    expect(redact(`cut: ${line.slice(10, 30)}…`)).toBe('cut: ***…');
    expect(redact('expected -----BEGIN RSA PRIVATE KEY-----')).toBe('expected -----BEGIN RSA PRIVATE KEY-----');
  });

  it('masks GitHub token shapes it was never told about', () => {
    for (const t of [TOKEN, 'gho_' + 'a'.repeat(36), 'ghs_' + 'B'.repeat(36), ['github', 'pat', '11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz'].join('_')]) {
      expect(redact(`failed with ${t}.`)).toBe('failed with ***.');
    }
  });

  it('masks credentials in URLs, headers and git config dumps', () => {
    expect(redact('fatal: unable to access https://x-access-token:abc123@github.com/rancher/x.git/')).toBe('fatal: unable to access https://***@github.com/rancher/x.git/');
    expect(redact('Authorization: Basic eC1hY2Nlc3M6YWJj')).toBe('Authorization: Basic ***');
    expect(redact('authorization: token abc')).toBe('authorization: token ***');
    expect(redact('http.https://github.com/.extraheader=AUTHORIZATION: basic Zm9v')).toBe('http.https://github.com/.extraheader=***');
    expect(redact('GET /x?access_token=abc&per_page=1')).toBe('GET /x?access_token=***&per_page=1');
  });

  it('leaves ordinary text alone', () => {
    const text = 'rancher/image-build-calico: would change (Dockerfile: 12 edits) https://github.com/rancher/image-build-calico';
    expect(redact(text)).toBe(text);
  });

  it('redacts errors and nested report values', () => {
    registerSecret(TOKEN);
    expect(redactError(new Error(`boom ${TOKEN}`))).toBe('boom ***');
    expect(redactDeep({ a: [`x ${TOKEN}`], b: { c: TOKEN }, n: 3 })).toEqual({ a: ['x ***'], b: { c: '***' }, n: 3 });
  });

  it('masks every 8+ character fragment of a registered secret, and nothing shorter', () => {
    registerSecret(TOKEN);
    const basic = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');
    expect(redact(`echo: ${TOKEN.slice(0, 12)}…`)).toBe('echo: ***…');
    expect(redact(`mid ${TOKEN.slice(10, 18)} end`)).toBe('mid *** end');
    expect(redact(`basic tail ${basic.slice(30, 40)}`)).toBe('basic tail ***');
    expect(redact(`short ${TOKEN.slice(0, 7)}`)).toBe(`short ${TOKEN.slice(0, 7)}`);
    // The public start of every Basic value is not a secret by itself.
    expect(redact('eC1hY2Nlc3MtdG9rZW46')).toBe('eC1hY2Nlc3MtdG9rZW46');
  });
});
