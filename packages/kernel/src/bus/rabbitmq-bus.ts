import { randomUUID } from 'node:crypto';
import amqp, { type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { Logger } from '../log/logger.js';
import {
  busClosed,
  busTimeout,
  busUnavailable,
  busUnroutable,
  checkMessageId,
  checkPattern,
  checkTopic,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_PREFETCH,
  DEFAULT_REQUEST_TIMEOUT_MS,
  deadLetterQueueName,
  defaultBackoff,
  errorText,
  noResponder,
  replyFromError,
  unwrapReply,
  type Bus,
  type DeadLetter,
  type DeadLetterQueues,
  type QueueDepth,
  type MessageHandler,
  type PublishOptions,
  type ReplyEnvelope,
  type RequestOptions,
  type ReplyHandler,
  type SubscribeOptions,
  type Subscription,
} from './bus.js';
import { decodeMessage, encodePayload, HEADER } from './rabbitmq-codec.js';
import { QueueConsumer } from './rabbitmq-consumer.js';

export interface RabbitMqBusOptions {
  /** amqp://user:pass@host:5672/vhost */
  url: string;
  logger: Logger;
  /** Shown in the broker's connection list. */
  service: string;
  /**
   * Namespace for every exchange and queue this bus names (`<prefix>.bus.events`, `<prefix>.<queue>`),
   * so environments or parallel test suites share one broker without seeing each other.
   */
  prefix?: string;
  /** How long publish waits for a broker (reconnecting included) before failing. */
  publishTimeoutMs?: number;
  reconnectDelayMs?: number;
  /**
   * AMQP heartbeat (default 15 s): a peer silent for two of them is dropped. A broker that stops or
   * restarts closes the socket and is seen at once; the heartbeat only finds a silent network. At 5 s a
   * process whose event loop was busy for ~10 s (a large workbook, two loaded cores) lost its connection.
   */
  heartbeatSeconds?: number;
  /** How long subscribe/respond wait for their queue to be declared while connected. */
  setupTimeoutMs?: number;
}

const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

/**
 * The bus over RabbitMQ through amqp-connection-manager, which reconnects on its own and re-runs each
 * channel's setup (exchanges, queues, bindings, consumers) on the new connection.
 *
 * - Events: a durable topic exchange; each subscription queue is durable and bound by topic pattern;
 *   messages are persistent and published on a confirm channel, so publish resolves only once the
 *   broker has them. While the broker is unreachable, publish waits (up to publishTimeoutMs) and then
 *   fails with `bus_unavailable`; it never reports a message the broker did not confirm.
 * - Retries: a failed message is re-published to `<queue>.retry.<delay>`, a queue whose TTL
 *   dead-letters it back to the work queue, with its attempt count raised; after maxAttempts it goes
 *   to `<queue>.dlq` with the last error in a header.
 * - Request/reply: a direct exchange, one auto-deleted queue per request topic shared by all
 *   responders, and RabbitMQ's direct reply-to for answers. Requests are mandatory messages, so a
 *   topic with no responder fails at once instead of waiting for the timeout.
 */
export class RabbitMqBus implements Bus, DeadLetterQueues {
  private readonly manager: AmqpConnectionManager;
  private readonly publisher: ChannelWrapper;
  private rpcClient: ChannelWrapper | undefined;
  private readonly pending = new Map<string, PendingRequest>();
  /** Ids of mandatory messages the broker returned as unroutable, until their publish() reads them. */
  private readonly returned = new Set<string>();
  /** Full names of the queues this bus has consumed, for queueDepths(). */
  private readonly consumed = new Set<string>();
  private readonly subscriptions = new Set<Subscription>();
  private readonly retryQueues = new Map<string, Set<string>>();
  private readonly logger: Logger;
  private readonly prefix: string;
  private readonly publishTimeoutMs: number;
  private readonly setupTimeoutMs: number;
  private closed = false;
  readonly eventsExchange: string;
  readonly requestsExchange: string;

  constructor(private readonly options: RabbitMqBusOptions) {
    this.logger = options.logger.child({ component: 'bus', bus: 'rabbitmq' });
    this.prefix = options.prefix ?? '';
    this.publishTimeoutMs = options.publishTimeoutMs ?? 30_000;
    this.setupTimeoutMs = options.setupTimeoutMs ?? 10_000;
    this.eventsExchange = this.name('bus.events');
    this.requestsExchange = this.name('bus.requests');
    this.manager = amqp.connect([options.url], {
      heartbeatIntervalInSeconds: options.heartbeatSeconds ?? 15,
      reconnectTimeInSeconds: (options.reconnectDelayMs ?? 1_000) / 1_000,
      connectionOptions: { clientProperties: { connection_name: options.service } },
    });
    this.manager.on('connect', () => this.logger.info('connected to RabbitMQ'));
    this.manager.on('disconnect', ({ err }: { err?: Error }) => this.logger.warn({ err }, 'disconnected from RabbitMQ'));
    this.manager.on('connectFailed', ({ err }: { err?: Error }) => this.logger.debug({ err }, 'cannot reach RabbitMQ yet'));
    this.publisher = this.channel('publisher', async (channel) => {
      await channel.assertExchange(this.eventsExchange, 'topic', { durable: true });
      // The broker hands an unroutable mandatory message back (basic.return) before it confirms it, so
      // the id is in the set by the time publish() sees the confirmation.
      channel.on('return', (returned: ConsumeMessage) => {
        const id = returned.properties.messageId as string | undefined;
        if (id) this.returned.add(id);
      });
    });
  }

  /** Waits for the first connection; for start-up scripts and tests, never needed for correctness. */
  async waitForConnect(timeoutMs = 10_000): Promise<void> {
    await withTimeout(this.publisher.waitForConnect(), timeoutMs, () => busUnavailable(`RabbitMQ not reachable within ${timeoutMs} ms`));
  }

  async publish(topic: string, payload: unknown, options: PublishOptions = {}): Promise<void> {
    if (this.closed) throw busClosed();
    checkTopic(topic);
    const id = options.id ? checkMessageId(options.id) : randomUUID();
    const occurredAt = options.occurredAt ?? new Date().toISOString();
    try {
      await this.publisher.publish(this.eventsExchange, topic, encodePayload(payload), {
        persistent: true,
        messageId: id,
        contentType: 'application/json',
        type: topic,
        appId: this.options.service,
        timestamp: Math.floor(Date.parse(occurredAt) / 1000),
        headers: { ...options.headers, [HEADER.topic]: topic, [HEADER.occurredAt]: occurredAt, [HEADER.attempt]: 1 },
        timeout: this.publishTimeoutMs,
        ...(options.mandatory ? { mandatory: true } : {}),
      });
    } catch (err) {
      this.returned.delete(id);
      throw busUnavailable(`RabbitMQ did not confirm message ${id} on ${topic}: ${errorText(err)}`);
    }
    if (this.returned.delete(id)) throw busUnroutable(topic);
  }

  async subscribe<T>(queue: string, topics: string[], handler: MessageHandler<T>, options: SubscribeOptions = {}): Promise<Subscription> {
    if (this.closed) throw busClosed();
    topics.forEach(checkPattern);
    const queueName = this.name(queue);
    this.consumed.add(queueName);
    const consumer = new QueueConsumer(
      {
        exchange: this.eventsExchange,
        queue: queueName,
        deadLetterQueue: deadLetterQueueName(queueName),
        topics,
        retryQueue: (delayMs) => `${queueName}.retry.${delayMs}`,
      },
      {
        maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        backoffMs: options.backoffMs ?? defaultBackoff,
        prefetch: options.prefetch ?? DEFAULT_PREFETCH,
      },
      handler as MessageHandler<unknown>,
      this.logger,
      (retryQueue) => this.rememberRetryQueue(queueName, retryQueue),
    );
    const wrapper = this.channel(`consumer ${queueName}`, consumer.setup);
    return this.track(wrapper, () => consumer.stop(wrapper));
  }

  async request<TRes = unknown>(topic: string, payload: unknown, options: RequestOptions = {}): Promise<TRes> {
    if (this.closed) throw busClosed();
    checkTopic(topic);
    const client = this.ensureRpcClient();
    const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const correlationId = randomUUID();
    const reply = new Promise<ReplyEnvelope>((resolve, reject) => {
      const timer = setTimeout(() => this.settleRequest(correlationId, busTimeout(topic, timeoutMs)), timeoutMs);
      this.pending.set(correlationId, { topic, resolve, reject, timer });
    });
    client
      .publish(this.requestsExchange, topic, encodePayload(payload), {
        correlationId,
        replyTo: DIRECT_REPLY_TO,
        messageId: correlationId,
        contentType: 'application/json',
        type: topic,
        appId: this.options.service,
        mandatory: true,
        // A request nobody took before the caller gave up is not worth answering.
        expiration: String(timeoutMs),
        headers: { ...options.headers, [HEADER.topic]: topic, [HEADER.occurredAt]: new Date().toISOString() },
        timeout: timeoutMs,
      })
      .catch((err: unknown) => this.settleRequest(correlationId, busUnavailable(`Request on ${topic} not sent: ${errorText(err)}`)));
    return unwrapReply<TRes>(await reply);
  }

  async respond<TReq = unknown, TRes = unknown>(topic: string, handler: ReplyHandler<TReq, TRes>): Promise<Subscription> {
    if (this.closed) throw busClosed();
    checkTopic(topic);
    const queue = this.name(`rpc.${topic}`);
    const running = new Set<Promise<void>>();
    let current: { channel: ConfirmChannel; consumerTag: string } | undefined;
    let stopped = false;
    const setup = async (channel: ConfirmChannel) => {
      await channel.assertExchange(this.requestsExchange, 'direct', { durable: true });
      // Requests live only as long as a caller waits, so their queue need not outlive its responders.
      await channel.assertQueue(queue, { durable: false, autoDelete: true });
      await channel.bindQueue(queue, this.requestsExchange, topic);
      await channel.prefetch(DEFAULT_PREFETCH, false);
      if (stopped) return;
      const { consumerTag } = await channel.consume(queue, (delivery) => {
        if (!delivery) return;
        const run = this.answer(channel, delivery, handler as ReplyHandler<unknown, unknown>);
        running.add(run);
        void run.finally(() => running.delete(run));
      });
      current = { channel, consumerTag };
    };
    const wrapper = this.channel(`responder ${topic}`, setup);
    return this.track(wrapper, async () => {
      stopped = true;
      await wrapper.removeSetup(setup);
      if (current) await current.channel.cancel(current.consumerTag).catch(() => undefined);
      await Promise.allSettled([...running]);
    });
  }

  /** Reads a dead-letter queue without consuming it: every message is fetched, then returned to it. */
  async queueDepths(): Promise<QueueDepth[]> {
    const depths: QueueDepth[] = [];
    for (const queue of this.consumed) {
      // A queue deleted under us makes the broker close the channel: count it as empty and go on.
      const count = (name: string) => this.withTemporaryChannel(async (channel) => (await channel.checkQueue(name)).messageCount).catch(() => 0);
      depths.push({ queue: this.unprefixed(queue), ready: await count(queue), deadLetters: await count(deadLetterQueueName(queue)) });
    }
    return depths;
  }

  async deadLetters(queue: string): Promise<DeadLetter[]> {
    const dlq = deadLetterQueueName(this.name(queue));
    return this.withTemporaryChannel(async (channel) => {
      const letters: DeadLetter[] = [];
      for (;;) {
        const delivery = await channel.get(dlq, { noAck: false });
        if (!delivery) break;
        const headers = delivery.properties.headers ?? {};
        letters.push({
          queue,
          message: decodeMessage(delivery),
          error: String(headers[HEADER.lastError] ?? ''),
          failedAt: String(headers[HEADER.failedAt] ?? ''),
        });
      }
      // Closing the channel returns the unacked messages to the queue in their order.
      return letters;
    });
  }

  /**
   * Deletes queues with their dead-letter and retry queues, and this bus's exchanges when asked: for
   * tests and for decommissioning a consumer; a running service never needs it.
   */
  async deleteTopology(options: { queues?: string[]; exchanges?: boolean; requestTopics?: string[] }): Promise<void> {
    await this.withTemporaryChannel(async (channel) => {
      for (const queue of options.queues ?? []) {
        const name = this.name(queue);
        for (const retry of this.retryQueues.get(name) ?? []) await channel.deleteQueue(retry);
        await channel.deleteQueue(deadLetterQueueName(name));
        await channel.deleteQueue(name);
      }
      for (const topic of options.requestTopics ?? []) await channel.deleteQueue(this.name(`rpc.${topic}`));
      if (options.exchanges) {
        await channel.deleteExchange(this.eventsExchange);
        await channel.deleteExchange(this.requestsExchange);
      }
    });
  }

  isConnected(): boolean {
    return !this.closed && this.manager.isConnected();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const id of [...this.pending.keys()]) this.settleRequest(id, busClosed());
    await Promise.allSettled([...this.subscriptions].map((s) => s.close()));
    await Promise.allSettled([this.publisher.close(), this.rpcClient?.close()]);
    await this.manager.close();
  }

  private name(local: string) {
    return this.prefix ? `${this.prefix}.${local}` : local;
  }

  private unprefixed(name: string) {
    return this.prefix && name.startsWith(`${this.prefix}.`) ? name.slice(this.prefix.length + 1) : name;
  }

  private channel(name: string, setup: (channel: ConfirmChannel) => Promise<void>): ChannelWrapper {
    const wrapper = this.manager.createChannel({ name, confirm: true, setup: setup as (channel: Channel) => Promise<void> });
    // A setup that fails (say, a queue declared with other arguments) leaves the channel closed until
    // the next reconnect; it must be seen in the log, and an unhandled 'error' would kill the process.
    wrapper.on('error', (err: Error) => this.logger.error({ err, channel: name }, 'channel setup failed'));
    return wrapper;
  }

  /**
   * Resolves once the channel's setup ran when the broker is reachable, so a subscriber's queue is
   * bound before the caller goes on to publish. Without a broker it resolves at once: the setup runs
   * on connect and the service starts (and reports not ready) instead of hanging.
   */
  private async track(wrapper: ChannelWrapper, stop: () => Promise<void>): Promise<Subscription> {
    let closed = false;
    const subscription: Subscription = {
      close: async () => {
        if (closed) return;
        closed = true;
        this.subscriptions.delete(subscription);
        await stop();
        await wrapper.close().catch(() => undefined);
      },
    };
    this.subscriptions.add(subscription);
    if (this.manager.isConnected()) {
      try {
        await setupDone(wrapper, this.setupTimeoutMs);
      } catch (err) {
        await subscription.close();
        throw busUnavailable(`Could not set up ${wrapper.name ?? 'channel'}: ${errorText(err)}`);
      }
    }
    return subscription;
  }

  private ensureRpcClient(): ChannelWrapper {
    if (this.rpcClient) return this.rpcClient;
    this.rpcClient = this.channel('rpc client', async (channel) => {
      await channel.assertExchange(this.requestsExchange, 'direct', { durable: true });
      // Direct reply-to routes answers to this very channel; the consumer must exist before the first
      // request goes out, which the wrapper guarantees by publishing only after setup.
      await channel.consume(DIRECT_REPLY_TO, (delivery) => delivery && this.onReply(delivery), { noAck: true });
      channel.on('return', (returned: ConsumeMessage) => {
        const id = returned.properties.correlationId as string | undefined;
        const entry = id ? this.pending.get(id) : undefined;
        if (id && entry) this.settleRequest(id, noResponder(entry.topic));
      });
    });
    return this.rpcClient;
  }

  private onReply(delivery: ConsumeMessage) {
    const id = delivery.properties.correlationId as string | undefined;
    if (!id || !this.pending.has(id)) return; // late answer to a request that timed out
    try {
      this.settleRequest(id, JSON.parse(delivery.content.toString('utf8')) as ReplyEnvelope);
    } catch (err) {
      this.settleRequest(id, busUnavailable(`Unreadable reply: ${errorText(err)}`));
    }
  }

  private settleRequest(id: string, outcome: ReplyEnvelope | Error) {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    if (outcome instanceof Error) entry.reject(outcome);
    else entry.resolve(outcome);
  }

  private async answer(channel: ConfirmChannel, delivery: ConsumeMessage, handler: ReplyHandler<unknown, unknown>) {
    let envelope: ReplyEnvelope;
    try {
      const message = decodeMessage(delivery);
      envelope = { ok: true, result: await handler(message.payload, message) };
    } catch (err) {
      this.logger.warn({ err, topic: delivery.fields.routingKey }, 'responder failed');
      envelope = replyFromError(err);
    }
    try {
      const replyTo = delivery.properties.replyTo as string | undefined;
      if (replyTo) {
        channel.sendToQueue(replyTo, encodePayload(envelope), {
          correlationId: delivery.properties.correlationId as string | undefined,
          contentType: 'application/json',
        });
      }
      channel.ack(delivery);
    } catch (err) {
      this.logger.debug({ err }, 'reply on a closed channel; the caller will time out');
    }
  }

  private rememberRetryQueue(queue: string, retryQueue: string) {
    const known = this.retryQueues.get(queue) ?? new Set<string>();
    known.add(retryQueue);
    this.retryQueues.set(queue, known);
  }

  private async withTemporaryChannel<T>(fn: (channel: Channel) => Promise<T>): Promise<T> {
    const connection = this.manager.connection;
    if (!connection) throw busUnavailable('Not connected to RabbitMQ');
    const channel = await connection.createChannel();
    try {
      return await fn(channel);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }
}

interface PendingRequest {
  topic: string;
  resolve: (reply: ReplyEnvelope) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

function setupDone(wrapper: ChannelWrapper, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      wrapper.removeListener('connect', onConnect);
      wrapper.removeListener('error', onError);
      if (err) reject(err);
      else resolve();
    };
    const onConnect = () => done();
    const onError = (err: Error) => done(err);
    const timer = setTimeout(() => done(new Error(`setup not finished within ${timeoutMs} ms`)), timeoutMs);
    wrapper.on('connect', onConnect);
    wrapper.on('error', onError);
  });
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
