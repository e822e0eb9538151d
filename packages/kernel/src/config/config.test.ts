import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { commonSettings, portSetting } from './common.js';
import { ConfigError, loadConfig } from './config.js';

const schema = Type.Object({ ...commonSettings, PORT: portSetting(3000) });

describe('loadConfig', () => {
  it('applies defaults and converts numbers and booleans from strings', () => {
    const config = loadConfig(schema, { PORT: '8080', COOKIE_SECURE: 'true' });
    expect(config.PORT).toBe(8080);
    expect(config.COOKIE_SECURE).toBe(true);
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig(schema, { DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('reports every wrong value at once, one line per variable, naming it and what was given', () => {
    let error: unknown;
    try {
      loadConfig(schema, { PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', SESSION_TTL_MINUTES: '1' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.find((p) => p.startsWith('PORT '))).toMatch(/"eighty"/);
    expect(problems.find((p) => p.startsWith('LOG_LEVEL '))).toMatch(/must be one of fatal, error, warn, info, debug, trace, silent/);
    expect(problems.find((p) => p.startsWith('DATABASE_URL '))).toMatch(/unset = embedded PGlite/);
    expect(problems.find((p) => p.startsWith('SESSION_TTL_MINUTES '))).toMatch(/"?1"?/);
  });

  it('names a required variable that is missing', () => {
    const strict = Type.Object({ SECRET_KEY: Type.String({ minLength: 32, description: '32+ random characters' }) });
    expect(() => loadConfig(strict, {})).toThrow(/SECRET_KEY is required \(32\+ random characters\)/);
  });
});

describe('a service started with bad configuration', () => {
  it('prints one line per problem to stderr and exits with code 1', async () => {
    const script = fileURLToPath(new URL('./config.fixture.ts', import.meta.url));
    const tsx = fileURLToPath(new URL('../../../../node_modules/.bin/tsx', import.meta.url));
    const run = promisify(execFile);
    const result = await run(tsx, [script], { env: { PATH: process.env.PATH, PORT: '99999', LOG_LEVEL: 'loud' } }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^config: (PORT|LOG_LEVEL) /);
    expect(lines[1]).toMatch(/^config: (PORT|LOG_LEVEL) /);
  });
});
