import { describe, expect, it } from 'vitest';
import { credentialRefusal, gitHostFor, gitHostFromEnv, isLoopback, mayReceiveCredentials } from '../../src/secrets/git-host.ts';

describe('git host', () => {
  it('derives the web host from the API URL, or takes GITHUB_SERVER_URL', () => {
    expect(gitHostFor('https://api.github.com')).toBe('github.com');
    expect(gitHostFor('https://ghe.example.com/api/v3')).toBe('ghe.example.com');
    expect(gitHostFor('https://api.acme.ghe.com')).toBe('acme.ghe.com');
    expect(gitHostFor('https://api.github.com', 'https://git.example.org')).toBe('git.example.org');
    expect(gitHostFromEnv({})).toBe('github.com');
    expect(gitHostFromEnv({ GITHUB_API_URL: 'http://127.0.0.1:4000' })).toBe('127.0.0.1');
  });

  it('sends credentials only to the configured host, over https unless loopback', () => {
    expect(mayReceiveCredentials('https://github.com/rancher/x.git', 'github.com')).toBe(true);
    expect(mayReceiveCredentials('https://GitHub.com/rancher/x.git', 'github.com')).toBe(true);
    expect(credentialRefusal('http://github.com/rancher/x.git', 'github.com')).toMatch(/github\.com uses plain http/);
    expect(credentialRefusal('https://evil.example/rancher/x.git', 'github.com')).toMatch(/on evil\.example, not on the configured git host github\.com/);
    expect(credentialRefusal('https://github.com.evil.example/x.git', 'github.com')).toMatch(/github\.com\.evil\.example/);
    expect(credentialRefusal('file:///tmp/x.git', 'github.com')).toMatch(/file URLs never/);
    expect(mayReceiveCredentials('http://127.0.0.1:8080/x.git', '127.0.0.1')).toBe(true);
    expect(mayReceiveCredentials('http://localhost:8080/x.git', '127.0.0.1')).toBe(false);
    expect(isLoopback('127.3.2.1') && isLoopback('[::1]') && isLoopback('localhost') && !isLoopback('128.0.0.1')).toBe(true);
  });
});
