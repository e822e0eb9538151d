import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, destination };
}

describe('logger', () => {
  it('writes one JSON object per line with service, level label and ISO time', () => {
    const { lines, destination } = capture();
    createLogger({ service: 'prepaid', destination }).info({ reqId: 'r-1' }, 'hello');
    expect(lines[0]).toMatchObject({ service: 'prepaid', level: 'info', reqId: 'r-1', msg: 'hello' });
    expect(String(lines[0]!.time)).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('never writes passwords, cookies or authorization headers', () => {
    const { lines, destination } = capture();
    createLogger({ service: 'x', destination }).info({
      req: { headers: { cookie: 'sid=abc', authorization: 'Bearer t' } },
      body: { password: 'hunter2' },
    });
    const text = JSON.stringify(lines[0]);
    expect(text).not.toContain('abc');
    expect(text).not.toContain('Bearer t');
    expect(text).not.toContain('hunter2');
  });
});
