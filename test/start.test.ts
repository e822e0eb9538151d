import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropDatabase, withDatabase } from '@app/kernel';
import { waitFor } from '@app/kernel/testing';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `npm start` as a newcomer runs it: every service in one process, banner with URLs and logins, each
 * service ready, a demo login working, a clean stop on SIGTERM, and the data still there after a restart.
 * On CI it runs against the real servers named in the environment, else on the embedded defaults.
 */
const root = fileURLToPath(new URL('../', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'start-'));
// On a real server the services' databases get a name of their own, dropped afterwards.
const serverUrl = process.env.DATABASE_URL;
const baseName = `start_${randomBytes(4).toString('hex')}`;
const databaseUrl = serverUrl ? withDatabase(serverUrl, baseName) : undefined;
const startScript = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
const ports = { PREPAID_PORT: 13_000 + (process.pid % 1000), CABINET_FRONT_PORT: 14_000 + (process.pid % 1000), CABINET_BACK_PORT: 15_000 + (process.pid % 1000) };

// Everything a child printed, to show why it did not stop cleanly.
const outputs = new WeakMap<ChildProcess, () => string>();

function start(): { child: ChildProcess; banner: Promise<string> } {
  // Exactly what `npm start` runs; it must start with node so SIGTERM reaches the service, not a relaying launcher.
  const [command, ...args] = startScript.split(' ');
  const child = spawn(command === 'node' ? process.execPath : command!, args, {
    cwd: root,
    env: { ...process.env, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  outputs.set(child, () => output);
  const banner = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      output += String(chunk);
      if (output.includes('Health:')) resolve(output);
    });
    child.stderr!.on('data', (chunk) => (output += String(chunk)));
    child.on('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
  return { child, banner };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const code = await new Promise<number | null>((resolve) => {
    child.once('exit', (c) => resolve(c));
    child.kill('SIGTERM');
  });
  if (code !== 0) console.error(`npm start exited with ${code} on SIGTERM; it printed:\n${outputs.get(child)?.() ?? ''}`);
  return code;
}

afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  if (serverUrl) for (const service of ['prepaid', 'cabinet_front', 'cabinet_back', 'billing']) await dropDatabase(serverUrl, `${baseName}_${service}`);
});

describe('npm start (all services in one process)', () => {
  it('prints URLs and demo logins, serves every service, stops cleanly and keeps data across a restart', async () => {
    const first = start();
    const banner = await first.banner;
    expect(banner).toContain(`http://127.0.0.1:${ports.PREPAID_PORT}`);
    expect(banner).toMatch(/admin\s+Prepaid-2026!/);
    expect(banner).toMatch(/demo@consumer\.test\s+Cabinet-2026!/);

    for (const port of Object.values(ports)) {
      const ready = await fetch(`http://127.0.0.1:${port}/ready`);
      expect(ready.status).toBe(200);
      await ready.body?.cancel();
      // The published API document must build: a route naming an undeclared security scheme breaks it.
      // Read to the end: an unread large answer keeps its connection busy, and the server's close then waits
      // for this client until the stop's grace runs out (exit 1) — a slow reader, not the service.
      const openapi = await fetch(`http://127.0.0.1:${port}/openapi.json`);
      expect(openapi.status).toBe(200);
      expect(Object.keys(((await openapi.json()) as { paths: object }).paths).length).toBeGreaterThan(0);
    }
    // The front learns of the back from its heartbeat over the bus: online within a few beats.
    const status = await waitFor(async () => {
      const s = (await (await fetch(`http://127.0.0.1:${ports.CABINET_FRONT_PORT}/api/status`)).json()) as { back: string; billing: string };
      return s.back === 'online' && s.billing === 'online' && s;
    }, { what: 'the back and billing online on the front', timeoutMs: 60_000 });
    expect(status).toEqual({ back: 'online', billing: 'online' });

    // The demo consumer's contract was linked through the bus, the back and the reference billing.
    const consumer = await fetch(`http://127.0.0.1:${ports.CABINET_FRONT_PORT}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'demo@consumer.test', password: 'Cabinet-2026!' }),
    });
    expect(consumer.status).toBe(200);
    const consumerCookie = consumer.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const contracts = await waitFor(async () => {
      const list = (await (await fetch(`http://127.0.0.1:${ports.CABINET_FRONT_PORT}/api/contracts`, { headers: { cookie: consumerCookie } })).json()) as { items: Array<{ number: string }> };
      return list.items.length > 0 && list;
    }, { what: "the demo consumer's contract on the front", timeoutMs: 90_000 });
    expect(contracts.items.map((c) => c.number)).toEqual(['D-000001']);

    const login = await fetch(`http://127.0.0.1:${ports.PREPAID_PORT}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'admin', password: 'Prepaid-2026!' }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const created = await fetch(`http://127.0.0.1:${ports.PREPAID_PORT}/api/staff/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({ login: 'kept.after.restart', displayName: 'K', password: 'a long passphrase', roles: ['operator'] }),
    });
    expect(created.status).toBe(201);
    expect(await stop(first.child)).toBe(0);

    const second = start();
    await second.banner;
    const again = await fetch(`http://127.0.0.1:${ports.PREPAID_PORT}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'kept.after.restart', password: 'a long passphrase' }),
    });
    expect(again.status).toBe(200);
    expect(await stop(second.child)).toBe(0);
  }, 240_000);
});
