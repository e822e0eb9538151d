import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../errors/app-error.js';
import type { Logger } from '../log/logger.js';
import { allows, type Access, type RoleHierarchy, type RouteAccess } from './access.js';
import { drainHandlersOnClose } from './drain.js';
import { createHttpMetrics } from './metrics.js';
import { problemOf, sendProblem } from './problem.js';
import { registerProbes, type ReadinessChecks } from './probes.js';

export type HttpApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

/** The caller as the auth plugin resolved it; null for anonymous requests. */
export interface AuthUser {
  id: string;
  loginKey: string;
  displayName: string;
  roles: string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthUser | null;
    session: { tokenHash: string; csrfToken: string } | null;
  }
  interface FastifyInstance {
    /** Every route with who may call it, in registration order. */
    routeTable(): RouteAccess[];
    /** Set by the auth plugin to journal refused calls. */
    onAccessDenied: ((request: FastifyRequest, reason: 'unauthenticated' | 'forbidden') => Promise<void>) | null;
  }
}

export interface HttpAppOptions {
  service: string;
  title: string;
  version?: string;
  description?: string;
  logger: Logger;
  readiness?: ReadinessChecks;
  roleHierarchy?: RoleHierarchy;
  /** Largest JSON body accepted; uploads set their own limit per route. */
  bodyLimit?: number;
  /** Behind a load balancer: take the client address from X-Forwarded-For. */
  trustProxy?: boolean | string;
  /** OpenAPI security schemes besides the session cookie (e.g. partner API keys), named for routes' `security`. */
  securitySchemes?: Record<string, { type: 'http'; scheme: 'bearer' | 'basic'; bearerFormat?: string; description?: string }>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * A Fastify app with what every service needs: strict JSON-schema validation of each input (TypeBox
 * schemas, also the OpenAPI document), problem+json errors, request ids, /health, /ready, /metrics,
 * /openapi.json and /docs, security headers, and the access guard every route must declare.
 */
export async function createHttpApp(options: HttpAppOptions): Promise<HttpApp> {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: options.trustProxy ?? false,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    ajv: {
      // Unknown fields are an error, not silently dropped: a typo in a field name must not pass as "absent".
      customOptions: { removeAdditional: false, allErrors: true, coerceTypes: 'array', useDefaults: true },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorateRequest('user', null);
  app.decorateRequest('session', null);
  app.decorate('onAccessDenied', null);

  const routes: RouteAccess[] = [];
  app.decorate('routeTable', () => [...routes]);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  drainHandlersOnClose(app);
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    if (!request.url.startsWith('/docs')) reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.setErrorHandler(async (error, request, reply) => {
    const problem = problemOf(error as Error, request.id);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    else if (!(error instanceof AppError)) request.log.info({ code: problem.code }, 'request refused');
    return sendProblem(reply, request, problem);
  });
  app.setNotFoundHandler(async (request, reply) =>
    sendProblem(reply, request, problemOf(new AppError('not_found', 404, `No route ${request.method} ${request.url.split('?')[0]}`), request.id)),
  );

  const metrics = createHttpMetrics(app, options.service);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: options.title, version: options.version ?? '0.1.0', description: options.description },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'sid', description: 'Session cookie set by POST /auth/login' },
          ...options.securitySchemes,
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  for (const url of ['/docs', '/docs/*']) routes.push({ method: 'GET', url, access: 'public' });

  // From here on every route must say who may call it.
  app.addHook('onRoute', (route) => {
    if (route.method === 'HEAD' || route.url.startsWith('/docs')) return;
    const access = route.config?.access as Access | undefined;
    if (!access) throw new Error(`route ${String(route.method)} ${route.url} declares no access (config.access)`);
    for (const method of [route.method].flat()) routes.push({ method: String(method), url: route.url, access });
  });

  // Judged before the body is validated: a caller who may not use a route learns nothing of its schema (a
  // 403, never a 400 naming fields), and the authorization matrix test needs no valid body per route.
  app.addHook('preValidation', async (request) => {
    const access = request.routeOptions.config?.access;
    if (!access) return; // the not-found handler and the docs viewer
    const verdict = allows(access, request.user, options.roleHierarchy);
    if (verdict === 'ok') return;
    await app.onAccessDenied?.(request, verdict);
    throw verdict === 'unauthenticated'
      ? new AppError('unauthenticated', 401, 'Log in first')
      : new AppError('forbidden', 403, 'Your role does not allow this');
  });

  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
  registerProbes(app, options.readiness ?? {});
  metrics.registerRoute();

  return app;
}

/** The request's client address (honours trustProxy) — for audit rows and rate limits. */
export function clientAddress(request: FastifyRequest): string {
  return request.ip;
}

/** A plugin's own (encapsulated) instance with the TypeBox types, as createHttpApp's root has them. */
export function typed(instance: FastifyInstance): HttpApp {
  return instance.withTypeProvider<TypeBoxTypeProvider>() as unknown as HttpApp;
}
