import { AppError } from '../errors/app-error.js';

/**
 * The message bus every service talks through: events (publish/subscribe over dotted topics) and
 * request/reply. Two implementations keep the same semantics: RabbitMQ across processes, and an
 * in-process bus for a single-process start without a broker.
 *
 * Delivery is at least once. A message keeps its `id` across retries and redeliveries, so a consumer
 * that must apply an effect once records the id with the effect (see outbox/inbox.ts).
 */
export interface Message<T = unknown> {
  /** uuid, stable across retries and redeliveries. */
  id: string;
  topic: string;
  payload: T;
  /** The publisher's headers only; the bus's own bookkeeping headers are not shown. */
  headers: Record<string, string>;
  /** ISO time the message was first published (for an outbox message: when it was enqueued). */
  occurredAt: string;
  /** 1-based delivery attempt. */
  attempt: number;
}

export interface PublishOptions {
  /** uuid; a new one when absent. Publishing again with the same id is a duplicate, not a new message. */
  id?: string;
  headers?: Record<string, string>;
  /** ISO time; now when absent. The outbox passes the time the message was enqueued. */
  occurredAt?: string;
  /**
   * Refuse the message (`bus_unroutable`) when no queue is bound to its topic, instead of the broker's
   * silent drop. The outbox relay always asks for it: a command sent before its consumer ever declared
   * its queue (a fresh broker, the back not deployed yet) stays in the outbox and is sent again later.
   */
  mandatory?: boolean;
}

export interface SubscribeOptions {
  /** Deliveries before the message goes to the dead-letter queue. */
  maxAttempts?: number;
  /** Delay before attempt `attempt + 1` after attempt `attempt` failed. */
  backoffMs?: (attempt: number) => number;
  /** Messages handled at once by this subscriber. */
  prefetch?: number;
}

export interface RequestOptions {
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export interface Subscription {
  /** Stops receiving and waits for the handlers already running. The queue itself stays. */
  close(): Promise<void>;
}

export type MessageHandler<T> = (message: Message<T>) => Promise<void>;
export type ReplyHandler<TReq, TRes> = (payload: TReq, message: Message<TReq>) => Promise<TRes>;

export interface Bus {
  /** Resolves once the broker has taken responsibility for the message (publisher confirm). */
  publish(topic: string, payload: unknown, options?: PublishOptions): Promise<void>;
  /**
   * Consumes `queue`, bound to `topics` (AMQP patterns: `*` one word, `#` any words). The queue is
   * durable; every subscriber of one queue name shares its messages (competing consumers). A handler
   * that throws is retried with back-off up to maxAttempts; then the message goes to `<queue>.dlq`.
   */
  subscribe<T>(queue: string, topics: string[], handler: MessageHandler<T>, options?: SubscribeOptions): Promise<Subscription>;
  /** Rejects with `bus_timeout` (504) when no answer comes in time; a responder's AppError is re-thrown here. */
  request<TRes = unknown>(topic: string, payload: unknown, options?: RequestOptions): Promise<TRes>;
  respond<TReq = unknown, TRes = unknown>(topic: string, handler: ReplyHandler<TReq, TRes>): Promise<Subscription>;
  /** For /ready. */
  isConnected(): boolean;
  /**
   * Messages waiting in the queues this bus consumes (ready, not yet delivered) and in their dead-letter
   * queues, for the `bus_queue_messages` metric: what a consumer is behind, and what it gave up on.
   */
  queueDepths(): Promise<QueueDepth[]>;
  close(): Promise<void>;
}

/** A message that used up its attempts, as kept in `<queue>.dlq`. */
export interface DeadLetter {
  queue: string;
  message: Message;
  error: string;
  failedAt: string;
}

/** Operations on dead-letter queues, for the back office and for tests. */
export interface QueueDepth {
  queue: string;
  ready: number;
  deadLetters: number;
}

export interface DeadLetterQueues {
  /** The dead letters of `queue`, oldest first, left in place. */
  deadLetters(queue: string): Promise<DeadLetter[]>;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_PREFETCH = 10;
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;

const BACKOFF_MS = [1_000, 5_000, 30_000, 120_000];
/** 1s, 5s, 30s, then every 2 minutes: rides out a restart of the service a handler depends on. */
export const defaultBackoff = (attempt: number): number => BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length) - 1] ?? 1_000;

export const deadLetterQueueName = (queue: string) => `${queue}.dlq`;

/** How request/reply carries a responder's outcome over the wire. */
export type ReplyEnvelope =
  | { ok: true; result: unknown }
  | { ok: false; error: { code: string; status: number; message: string; extra?: Record<string, unknown> } };

/**
 * A responder's AppError crosses the bus with its code, status and message; any other error becomes
 * `bus_responder_failed` without its text, so internals (SQL, paths) do not leak to the caller's side.
 */
export function replyFromError(err: unknown): ReplyEnvelope {
  if (err instanceof AppError) {
    return { ok: false, error: { code: err.code, status: err.status, message: err.message, extra: err.extra } };
  }
  return { ok: false, error: { code: 'bus_responder_failed', status: 502, message: 'The responder failed to handle the request' } };
}

export function unwrapReply<T>(reply: ReplyEnvelope): T {
  if (reply.ok) return reply.result as T;
  const { code, status, message, extra } = reply.error;
  throw new AppError(code, status, message, extra ?? {});
}

export const busTimeout = (topic: string, timeoutMs: number) =>
  new AppError('bus_timeout', 504, `No reply to ${topic} within ${timeoutMs} ms`, { topic });
export const noResponder = (topic: string) => new AppError('bus_no_responder', 503, `Nobody answers requests on ${topic}`, { topic });
export const busClosed = () => new AppError('bus_closed', 503, 'The bus is closed');
export const busUnavailable = (message: string) => new AppError('bus_unavailable', 503, message);
export const busUnroutable = (topic: string) => new AppError('bus_unroutable', 503, `No queue takes messages on ${topic} yet`, { topic });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOPIC = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/i;
const PATTERN = /^([a-z0-9_-]+|\*|#)(\.([a-z0-9_-]+|\*|#))*$/i;

/** Checked at the publisher, because consumers record ids in a uuid column (inbox). */
export function checkMessageId(id: string): string {
  if (!UUID.test(id)) throw new AppError('bus_invalid_message_id', 400, `Message id must be a uuid: ${id}`);
  return id;
}

export function checkTopic(topic: string): string {
  if (!TOPIC.test(topic)) throw new AppError('bus_invalid_topic', 400, `Topic must be dotted words: ${topic}`);
  return topic;
}

export function checkPattern(pattern: string): string {
  if (!PATTERN.test(pattern)) throw new AppError('bus_invalid_topic', 400, `Topic pattern must be dotted words, * or #: ${pattern}`);
  return pattern;
}

/** AMQP topic matching: `*` is exactly one word, `#` zero or more words. */
export function topicMatches(pattern: string, topic: string): boolean {
  return matchWords(pattern.split('.'), 0, topic.split('.'), 0);
}

function matchWords(pattern: string[], p: number, topic: string[], t: number): boolean {
  if (p === pattern.length) return t === topic.length;
  const word = pattern[p];
  if (word === '#') {
    for (let skip = t; skip <= topic.length; skip++) if (matchWords(pattern, p + 1, topic, skip)) return true;
    return false;
  }
  if (t === topic.length) return false;
  return (word === '*' || word === topic[t]) && matchWords(pattern, p + 1, topic, t + 1);
}

/** Handlers' errors as one line for a header or a log; stacks stay in the log. */
export function errorText(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.length > 1000 ? `${text.slice(0, 1000)}…` : text;
}

/** Payloads cross the bus as JSON even in process, so both buses hand handlers the same shapes. */
export function cloneJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
