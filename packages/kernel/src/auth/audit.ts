import type { Kysely, Transaction } from 'kysely';
import type { FastifyRequest } from 'fastify';
import type { AuthTables } from './tables.js';

/**
 * The audit journal: who did what, when, from where. Written in the same transaction as the change it
 * describes, so a change without its journal row (or the reverse) cannot happen. The table refuses
 * UPDATE and DELETE (see the migration).
 */
export interface AuditEntry {
  actorId?: string | null;
  actorLogin?: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  outcome?: 'success' | 'failure' | 'denied';
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
  details?: Record<string, unknown>;
}

type AnyExecutor = Kysely<AuthTables> | Transaction<AuthTables>;

export async function recordAudit(executor: unknown, entry: AuditEntry): Promise<void> {
  await (executor as AnyExecutor)
    .insertInto('audit_log')
    .values({
      actor_id: entry.actorId ?? null,
      actor_login: entry.actorLogin ?? null,
      action: entry.action,
      target_type: entry.targetType ?? null,
      target_id: entry.targetId ?? null,
      outcome: entry.outcome ?? 'success',
      ip: entry.ip ?? null,
      user_agent: entry.userAgent?.slice(0, 512) ?? null,
      request_id: entry.requestId ?? null,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}

/** The request's part of an audit entry: actor, address, agent, request id. */
export function auditContext(request: FastifyRequest): Pick<AuditEntry, 'actorId' | 'actorLogin' | 'ip' | 'userAgent' | 'requestId'> {
  return {
    actorId: request.user?.id ?? null,
    actorLogin: request.user?.loginKey ?? null,
    ip: request.ip,
    userAgent: request.headers['user-agent'] ?? null,
    requestId: request.id,
  };
}
