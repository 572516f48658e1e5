/**
 * Runs around every test file (vitest's setupFiles). Most files share one module graph per worker
 * (vitest.config.ts, isolate: false), so what a file leaves in the process is undone here, as a
 * fresh process would: the secrets the redactor knows (a file must not pass because another one
 * registered its token), the environment, Date faked by test/helpers/clock.ts, spies, and the
 * temporary folders helpers made for this file.
 */
import { afterAll, beforeAll, vi } from 'vitest';
import { clearSecrets } from '../../src/secrets/redact.ts';
import { removeRegisteredTemps } from '../helpers/file-temps.ts';

let env: NodeJS.ProcessEnv = {};

beforeAll(() => {
  clearSecrets();
  env = { ...process.env };
});

afterAll(() => {
  removeRegisteredTemps();
  vi.useRealTimers();
  vi.restoreAllMocks();
  for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
  Object.assign(process.env, env);
  clearSecrets();
});
