import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.js';
import { createLogger } from '../log/logger.js';
import { createHttpApp, type HttpApp } from './app.js';

const logger = createLogger({ service: 'test', level: 'silent' });

describe('http app', () => {
  let app: HttpApp;
  let dbUp = true;
  beforeAll(async () => {
    app = await createHttpApp({ service: 'test', title: 'Test API', logger, readiness: { db: () => { if (!dbUp) throw new Error('connection refused'); } } });
    app.post(
      '/things',
      {
        config: { access: 'public' },
        schema: {
          body: Type.Object({ name: Type.String({ minLength: 1 }), amount: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
          response: { 201: Type.Object({ id: Type.String() }) },
        },
      },
      async (_request, reply) => reply.status(201).send({ id: 't-1' }),
    );
    app.get('/conflict', { config: { access: 'public' } }, async () => {
      throw new AppError('thing_exists', 409, 'A thing with this name exists', { field: 'name' });
    });
    app.get('/crash', { config: { access: 'public' } }, async () => {
      throw new Error('password=hunter2 at db.internal:5432');
    });
    app.get('/managers', { config: { access: { roles: ['manager'] } } }, async () => ({ ok: true }));
    await app.ready();
  });
  afterAll(() => app.close());

  it('answers a bad body with problem+json naming every bad field', async () => {
    const res = await app.inject({ method: 'POST', url: '/things', payload: { amount: 1.5, colour: 'red' } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json();
    expect(body).toMatchObject({ status: 400, code: 'validation_failed', type: 'urn:problem:validation_failed', instance: res.headers['x-request-id'] });
    const fields = body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['amount', 'colour', 'name']);
  });

  it('maps malformed JSON and oversized bodies to their own codes', async () => {
    const bad = await app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json' }, payload: '{"name":' });
    expect(bad.json()).toMatchObject({ status: 400, code: 'malformed_body' });
    const big = await app.inject({ method: 'POST', url: '/things', payload: { name: 'x'.repeat(1_100_000), amount: 1 } });
    expect(big.json()).toMatchObject({ status: 413, code: 'payload_too_large' });
  });

  it('maps an AppError to its status and code', async () => {
    const res = await app.inject({ method: 'GET', url: '/conflict' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'thing_exists', detail: 'A thing with this name exists' });
  });

  it('answers an unexpected error with 500 internal_error and no internal detail', async () => {
    const res = await app.inject({ method: 'GET', url: '/crash' });
    expect(res.statusCode).toBe(500);
    expect(res.json().code).toBe('internal_error');
    expect(res.body).not.toContain('hunter2');
    expect(res.body).not.toContain('db.internal');
  });

  it('answers an unknown route with 404 not_found problem', async () => {
    const res = await app.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('not_found');
  });

  it('keeps a sane caller request id and replaces a hostile one', async () => {
    const kept = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const replaced = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'a b\u0000<script>' } });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses an anonymous call to a role route with 401 and sets security headers', async () => {
    const res = await app.inject({ method: 'GET', url: '/managers' });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('unauthenticated');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('publishes an OpenAPI document with the routes and their schemas', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.paths['/things'].post.requestBody.content['application/json'].schema.required).toEqual(['name', 'amount']);
    const viewer = await app.inject({ method: 'GET', url: '/docs/' });
    expect(viewer.statusCode).toBe(200);
    expect(viewer.body).toContain('swagger');
  });

  it('answers /health, and /ready with each check, 503 naming the failed one', async () => {
    expect((await app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
    expect((await app.inject({ method: 'GET', url: '/ready' })).json()).toEqual({ status: 'ready', checks: { db: 'ok' } });
    dbUp = false;
    const down = await app.inject({ method: 'GET', url: '/ready' });
    dbUp = true;
    expect(down.statusCode).toBe(503);
    expect(down.json().checks.db).toMatch(/failed: connection refused/);
  });

  it('exposes Prometheus metrics with the request duration histogram by route pattern', async () => {
    await app.inject({ method: 'GET', url: '/conflict' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.body).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/conflict"[^}]*status_code="409"/);
    expect(res.body).toContain('process_cpu_user_seconds_total');
  });

  it('lists every route with its access in the route table', () => {
    const table = app.routeTable();
    expect(table).toContainEqual({ method: 'GET', url: '/managers', access: { roles: ['manager'] } });
    expect(table).toContainEqual({ method: 'POST', url: '/things', access: 'public' });
  });
});

describe('a route without an access declaration', () => {
  it('stops the app at start', async () => {
    const app = await createHttpApp({ service: 'test', title: 'T', logger });
    expect(() => app.get('/forgot', async () => ({}))).toThrow(/declares no access/);
    await app.close();
  });
});

describe('validation of a field limited to listed values', () => {
  it('reports the field once with the allowed values', async () => {
    const app = await createHttpApp({ service: 'test', title: 'T', logger });
    app.post(
      '/roles',
      {
        config: { access: 'public' },
        schema: { body: Type.Object({ roles: Type.Array(Type.Union([Type.Literal('operator'), Type.Literal('manager')])) }) },
      },
      async () => ({ ok: true }),
    );
    const res = await app.inject({ method: 'POST', url: '/roles', payload: { roles: ['god'] } });
    expect(res.json().errors).toEqual([{ field: 'roles/0', code: 'enum', message: 'must be one of: operator, manager' }]);
    await app.close();
  });
});
