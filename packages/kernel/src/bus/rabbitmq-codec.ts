import type { Message as AmqpMessage, MessagePropertyHeaders } from 'amqplib';
import type { Message } from './bus.js';

/**
 * How a Message travels in AMQP. The body is the JSON payload; the bus's bookkeeping rides in
 * `x-bus-*` headers because a retried message is re-published through the default exchange, where
 * the routing key is the queue's name and no longer the topic.
 */
export const HEADER = {
  topic: 'x-bus-topic',
  occurredAt: 'x-bus-occurred-at',
  attempt: 'x-bus-attempt',
  lastError: 'x-bus-last-error',
  failedAt: 'x-bus-failed-at',
} as const;

const HIDDEN = /^x-(bus-|death$|first-death-|last-death-)/;

export function encodePayload(payload: unknown): Buffer {
  return Buffer.from(JSON.stringify(payload ?? null), 'utf8');
}

export function decodeMessage<T>(delivery: AmqpMessage): Message<T> {
  const raw: MessagePropertyHeaders = delivery.properties.headers ?? {};
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!HIDDEN.test(key) && typeof value === 'string') headers[key] = value;
  }
  const id = delivery.properties.messageId as unknown;
  if (typeof id !== 'string' || id === '') throw new Error('message has no message id');
  const attempt = Number(raw[HEADER.attempt] ?? 1);
  const occurredAt = raw[HEADER.occurredAt] as unknown;
  return {
    id,
    topic: String(raw[HEADER.topic] ?? delivery.fields.routingKey),
    payload: JSON.parse(delivery.content.toString('utf8')) as T,
    headers,
    occurredAt: typeof occurredAt === 'string' ? occurredAt : new Date().toISOString(),
    attempt: Number.isInteger(attempt) && attempt > 0 ? attempt : 1,
  };
}
