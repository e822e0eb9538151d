import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './prepaid.js';

/**
 * The one API client of the workplace: typed by the prepaid server's OpenAPI document (prepaid.d.ts,
 * generated), same origin, session cookie. Every state-changing call carries the CSRF token the
 * server gave at login (it is also in the readable `prepaid_csrf` cookie, so a reload keeps it).
 * A problem+json answer becomes an ApiError with its stable code and offending field.
 */
export interface FieldProblem {
  field: string;
  code?: string;
  message?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: FieldProblem[] = [],
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const CSRF_COOKIE = 'prepaid_csrf';

export function csrfToken(): string | undefined {
  const match = document.cookie.split('; ').find((c) => c.startsWith(`${CSRF_COOKIE}=`));
  return match ? decodeURIComponent(match.slice(CSRF_COOKIE.length + 1)) : undefined;
}

const csrf: Middleware = {
  onRequest({ request }) {
    const token = csrfToken();
    if (UNSAFE.has(request.method) && token) request.headers.set('x-csrf-token', token);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(csrf);

/** Unwraps an openapi-fetch answer: the data, or an ApiError from the problem document. */
export async function call<T>(promise: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await promise;
  if (response.ok) return data as T;
  throw toApiError(response.status, error);
}

export function toApiError(status: number, error: unknown): ApiError {
  const body = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  return new ApiError(status, String(body.code ?? 'http_' + status), String(body.detail ?? body.title ?? status), (body.errors as FieldProblem[] | undefined) ?? [], body);
}

/**
 * For the few routes whose answer the OpenAPI document does not describe yet (older staff routes
 * without a response schema) and for files: a plain same-origin fetch with the same CSRF and errors.
 */
export async function raw(method: string, url: string, body?: BodyInit | object): Promise<Response> {
  const headers: Record<string, string> = {};
  const token = csrfToken();
  if (UNSAFE.has(method) && token) headers['x-csrf-token'] = token;
  let payload: BodyInit | undefined;
  if (body instanceof FormData || typeof body === 'string' || body instanceof Blob) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const response = await fetch(url, { method, headers, body: payload, credentials: 'same-origin' });
  if (!response.ok) throw toApiError(response.status, await response.json().catch(() => ({})));
  return response;
}

export const json = async <T>(method: string, url: string, body?: BodyInit | object): Promise<T> => {
  const response = await raw(method, url, body);
  return (response.status === 204 ? null : await response.json()) as T;
};

/** The 200 answer of a route as the OpenAPI document describes it: `Ok<'/api/staff/clients/{id}', 'get'>`. */
export type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: { 200: { content: { 'application/json': infer R } } } } ? R : never;
