import { backStatusTopic, type BackStatus } from '@app/cabinet-contracts';
import type { HttpApp } from '@app/kernel';
import { createTestRuntime, testConfig } from '@app/kernel/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cabinetFrontMigrations } from './migrations.js';
import { createCabinetFrontApp } from './server.js';

// The back office is played here by a responder that speaks the published contract: the front's
// tests, like its code, never import cabinet-back.
describe('cabinet-front status over the bus', () => {
  let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
  let app: HttpApp;
  beforeAll(async () => {
    runtime = await createTestRuntime('cabinet-front', cabinetFrontMigrations);
    app = await createCabinetFrontApp(runtime, testConfig);
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await runtime.close();
  });

  it('says the back is offline, without failing, while nobody answers', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/status' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ back: 'offline', billing: 'unknown' });
  });

  it('reports what the back answers through the bus', async () => {
    const responder = await runtime.bus.respond<unknown, BackStatus>(backStatusTopic, async () => ({
      service: 'cabinet-back',
      billing: 'offline',
      at: new Date().toISOString(),
    }));
    try {
      const res = await app.inject({ method: 'GET', url: '/api/status' });
      expect(res.json()).toEqual({ back: 'online', billing: 'offline' });
    } finally {
      await responder.close();
    }
  });
});
