import { randomUUID } from 'node:crypto';
import type { Logger } from '../log/logger.js';
import {
  busClosed,
  busTimeout,
  busUnroutable,
  checkMessageId,
  checkPattern,
  checkTopic,
  cloneJson,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_PREFETCH,
  DEFAULT_REQUEST_TIMEOUT_MS,
  defaultBackoff,
  errorText,
  noResponder,
  replyFromError,
  topicMatches,
  unwrapReply,
  type Bus,
  type DeadLetter,
  type DeadLetterQueues,
  type MessageHandler,
  type Message,
  type PublishOptions,
  type QueueDepth,
  type ReplyEnvelope,
  type RequestOptions,
  type ReplyHandler,
  type SubscribeOptions,
  type Subscription,
} from './bus.js';

/**
 * The bus inside one process, for `npm start` without RabbitMQ. It keeps the broker's semantics that
 * callers rely on: delivery is asynchronous (never inside the publisher's call stack, so a handler's
 * failure or slowness never reaches the publisher), queues are named and shared by competing
 * consumers, failed handlers are retried with back-off and end in an inspectable dead-letter queue,
 * payloads are copied through JSON. Nothing survives the process; that is the price of no broker, and
 * the outbox still keeps unpublished messages in the database.
 */
export class InProcessBus implements Bus, DeadLetterQueues {
  private readonly queues = new Map<string, Queue>();
  private readonly responders = new Map<string, RespondingConsumer[]>();
  private readonly dead = new Map<string, DeadLetter[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly pendingRequests = new Set<(err: Error) => void>();
  private closed = false;
  private readonly logger: Logger;

  constructor(options: { logger: Logger }) {
    this.logger = options.logger.child({ component: 'bus', bus: 'in-process' });
  }

  async publish(topic: string, payload: unknown, options: PublishOptions = {}): Promise<void> {
    if (this.closed) throw busClosed();
    checkTopic(topic);
    const message: Message = {
      id: options.id ? checkMessageId(options.id) : randomUUID(),
      topic,
      payload: cloneJson(payload),
      headers: { ...options.headers },
      occurredAt: options.occurredAt ?? new Date().toISOString(),
      attempt: 1,
    };
    const bound = [...this.queues.values()].filter((queue) => queue.topics.some((pattern) => topicMatches(pattern, topic)));
    if (bound.length === 0 && options.mandatory) throw busUnroutable(topic);
    for (const queue of bound) {
      queue.ready.push({ ...message, payload: cloneJson(message.payload), headers: { ...message.headers } });
      this.schedule(queue);
    }
  }

  async subscribe<T>(queueName: string, topics: string[], handler: MessageHandler<T>, options: SubscribeOptions = {}): Promise<Subscription> {
    if (this.closed) throw busClosed();
    topics.forEach(checkPattern);
    let queue = this.queues.get(queueName);
    if (!queue) {
      queue = { name: queueName, topics: [], ready: [], consumers: [], next: 0, scheduled: false };
      this.queues.set(queueName, queue);
    }
    // A durable queue keeps every binding ever made to it, as a broker does.
    for (const topic of topics) if (!queue.topics.includes(topic)) queue.topics.push(topic);
    const consumer: Consumer = {
      handler: handler as MessageHandler<unknown>,
      maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      backoffMs: options.backoffMs ?? defaultBackoff,
      prefetch: options.prefetch ?? DEFAULT_PREFETCH,
      running: new Set(),
      active: true,
    };
    queue.consumers.push(consumer);
    this.schedule(queue);
    const owner = queue;
    return {
      close: async () => {
        consumer.active = false;
        owner.consumers = owner.consumers.filter((c) => c !== consumer);
        await Promise.allSettled([...consumer.running]);
      },
    };
  }

  async request<TRes = unknown>(topic: string, payload: unknown, options: RequestOptions = {}): Promise<TRes> {
    if (this.closed) throw busClosed();
    checkTopic(topic);
    const consumers = this.responders.get(topic);
    if (!consumers || consumers.length === 0) throw noResponder(topic);
    const responder = consumers[0]!;
    // Round-robin across responders, like several instances on one request queue.
    consumers.push(consumers.shift()!);
    const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const message: Message = {
      id: randomUUID(),
      topic,
      payload: cloneJson(payload),
      headers: { ...options.headers },
      occurredAt: new Date().toISOString(),
      attempt: 1,
    };
    const reply = await new Promise<ReplyEnvelope>((resolve, reject) => {
      const fail = (err: Error) => {
        clearTimeout(timer);
        this.pendingRequests.delete(fail);
        reject(err);
      };
      const timer = setTimeout(() => fail(busTimeout(topic, timeoutMs)), timeoutMs);
      this.pendingRequests.add(fail);
      setImmediate(() => {
        responder
          .handler(message.payload, message)
          .then(
            (result): ReplyEnvelope => ({ ok: true, result: cloneJson(result) }),
            (err: unknown) => {
              this.logger.warn({ err, topic }, 'responder failed');
              return replyFromError(err);
            },
          )
          .then((envelope) => {
            if (!this.pendingRequests.delete(fail)) return; // the caller gave up already
            clearTimeout(timer);
            resolve(envelope);
          }, fail);
      });
    });
    return unwrapReply<TRes>(reply);
  }

  async respond<TReq = unknown, TRes = unknown>(topic: string, handler: ReplyHandler<TReq, TRes>): Promise<Subscription> {
    if (this.closed) throw busClosed();
    checkTopic(topic);
    const consumer: RespondingConsumer = { handler: handler as ReplyHandler<unknown, unknown> };
    this.responders.set(topic, [...(this.responders.get(topic) ?? []), consumer]);
    return {
      close: async () => {
        this.responders.set(
          topic,
          (this.responders.get(topic) ?? []).filter((c) => c !== consumer),
        );
      },
    };
  }

  async queueDepths(): Promise<QueueDepth[]> {
    return [...this.queues.values()].map((q) => ({ queue: q.name, ready: q.ready.length, deadLetters: this.dead.get(q.name)?.length ?? 0 }));
  }

  async deadLetters(queue: string): Promise<DeadLetter[]> {
    return (this.dead.get(queue) ?? []).map((letter) => ({ ...letter, message: { ...letter.message } }));
  }

  isConnected(): boolean {
    return !this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const fail of [...this.pendingRequests]) fail(busClosed());
    const running = [...this.queues.values()].flatMap((q) => q.consumers.flatMap((c) => [...c.running]));
    for (const queue of this.queues.values()) queue.consumers = [];
    await Promise.allSettled(running);
  }

  /** Dispatch runs on a later tick, so a publisher never runs a handler in its own call stack. */
  private schedule(queue: Queue) {
    if (queue.scheduled || this.closed) return;
    queue.scheduled = true;
    setImmediate(() => {
      queue.scheduled = false;
      this.dispatch(queue);
    });
  }

  private dispatch(queue: Queue) {
    while (queue.ready.length > 0 && !this.closed) {
      const consumer = this.nextFreeConsumer(queue);
      if (!consumer) return;
      const message = queue.ready.shift()!;
      const run = this.deliver(queue, consumer, message).finally(() => {
        consumer.running.delete(run);
        this.schedule(queue);
      });
      consumer.running.add(run);
    }
  }

  private nextFreeConsumer(queue: Queue): Consumer | undefined {
    const count = queue.consumers.length;
    for (let i = 0; i < count; i++) {
      const consumer = queue.consumers[(queue.next + i) % count]!;
      if (consumer.active && consumer.running.size < consumer.prefetch) {
        queue.next = (queue.next + i + 1) % count;
        return consumer;
      }
    }
    return undefined;
  }

  private async deliver(queue: Queue, consumer: Consumer, message: Message) {
    try {
      await consumer.handler({ ...message, payload: cloneJson(message.payload), headers: { ...message.headers } });
    } catch (err) {
      if (message.attempt >= consumer.maxAttempts) {
        this.logger.error({ err, queue: queue.name, topic: message.topic, messageId: message.id, attempt: message.attempt }, 'message dead-lettered');
        const letters = this.dead.get(queue.name) ?? [];
        letters.push({ queue: queue.name, message, error: errorText(err), failedAt: new Date().toISOString() });
        this.dead.set(queue.name, letters);
        return;
      }
      const delay = consumer.backoffMs(message.attempt);
      this.logger.warn({ err, queue: queue.name, topic: message.topic, messageId: message.id, attempt: message.attempt, retryInMs: delay }, 'handler failed, will retry');
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        queue.ready.push({ ...message, attempt: message.attempt + 1 });
        this.schedule(queue);
      }, delay);
      this.timers.add(timer);
    }
  }
}

interface Queue {
  name: string;
  topics: string[];
  ready: Message[];
  consumers: Consumer[];
  /** Round-robin position among consumers. */
  next: number;
  scheduled: boolean;
}

interface Consumer {
  handler: MessageHandler<unknown>;
  maxAttempts: number;
  backoffMs: (attempt: number) => number;
  prefetch: number;
  running: Set<Promise<void>>;
  active: boolean;
}

interface RespondingConsumer {
  handler: ReplyHandler<unknown, unknown>;
}
