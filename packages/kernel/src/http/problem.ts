import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type FieldProblem } from '../errors/app-error.js';

/**
 * The one place errors become HTTP answers: RFC 9457 problem+json with a stable `code`, the request
 * id as `instance`, and for bad input the list of offending fields. Nothing internal (stack, SQL,
 * driver message) reaches the client of a 5xx.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance: string;
  errors?: FieldProblem[];
  [extra: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  423: 'Locked',
  429: 'Too many requests',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

/** Fastify's own errors that are the client's fault, with the code we promise for them. */
const FASTIFY_CODES: Record<string, [number, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'malformed_body'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'malformed_body'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'malformed_body'],
};

export function problemOf(error: FastifyError | AppError | Error, requestId: string): Problem {
  if (error instanceof AppError) {
    const { field: _field, ...extra } = error.extra;
    return build(error.status, error.code, error.message, requestId, extra);
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const errors = mergePerField(fastifyError.validation.map((v) => ({ ...fieldProblem(fastifyError.validationContext ?? 'body', v), allowed: v.params.allowedValue })));
    const detail = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    return build(400, 'validation_failed', detail || 'The request is not valid', requestId, { errors });
  }
  const known = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (known) return build(known[0], known[1], fastifyError.message, requestId);
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) return build(400, 'malformed_body', 'The body is not valid JSON', requestId);
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return build(fastifyError.statusCode, 'bad_request', fastifyError.message, requestId);
  }
  return build(500, 'internal_error', 'Something went wrong on our side; the request id identifies it in our logs', requestId);
}

/**
 * One problem per field: a union of literals (an enum of roles, statuses) makes Ajv report each
 * alternative; the client needs one line saying which values are allowed.
 */
function mergePerField(problems: Array<FieldProblem & { allowed?: unknown }>): FieldProblem[] {
  const byField = new Map<string, { problem: FieldProblem; allowed: unknown[] }>();
  for (const { allowed, ...problem } of problems) {
    const entry = byField.get(problem.field) ?? { problem: { ...problem }, allowed: [] };
    if (allowed !== undefined) entry.allowed.push(allowed);
    else if (problem.code !== 'anyOf' || !byField.has(problem.field)) entry.problem = problem;
    byField.set(problem.field, entry);
  }
  return [...byField.values()].map(({ problem, allowed }) =>
    allowed.length ? { field: problem.field, code: 'enum', message: `must be one of: ${allowed.map(String).join(', ')}` } : problem,
  );
}

function build(status: number, code: string, detail: string, requestId: string, extra: Record<string, unknown> = {}): Problem {
  return { type: `urn:problem:${code}`, title: TITLES[status] ?? 'Error', status, detail, code, instance: requestId, ...extra };
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

function fieldProblem(context: string, v: AjvError): FieldProblem {
  const path = v.instancePath.replace(/^\//, '');
  const missing = v.params.missingProperty as string | undefined;
  const extra = v.params.additionalProperty as string | undefined;
  const name = [path, missing ?? extra].filter(Boolean).join('/');
  const field = context === 'body' ? name || 'body' : `${context}${name ? `.${name}` : ''}`;
  const message = extra ? `unknown property "${extra}"` : (v.message ?? 'is not valid');
  return { field, code: v.keyword === 'required' ? 'required' : v.keyword, message };
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, problem: Problem) {
  if (problem.status === 429 && typeof problem.retryAfterSeconds === 'number') reply.header('retry-after', String(problem.retryAfterSeconds));
  return reply.status(problem.status).type('application/problem+json').send(problem);
}
