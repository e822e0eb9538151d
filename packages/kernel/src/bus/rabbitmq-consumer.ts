import type { ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import type { Logger } from '../log/logger.js';
import { errorText, type MessageHandler, type Message } from './bus.js';
import { decodeMessage, HEADER } from './rabbitmq-codec.js';

/**
 * One subscriber of a work queue. It consumes on the raw channel its setup was given and acks on
 * that same channel: an ack for a delivery of a channel that has since closed would be an unknown
 * delivery tag on the new one, which RabbitMQ answers by closing the channel. A delivery whose
 * channel died is redelivered by the broker anyway.
 *
 * A failed message is first re-published (and confirmed) to a retry or dead-letter queue and only
 * then acked, so a crash between the two duplicates it but never loses it.
 */
export interface ConsumerTopology {
  exchange: string;
  queue: string;
  deadLetterQueue: string;
  topics: string[];
  retryQueue: (delayMs: number) => string;
}

export interface ConsumerSettings {
  maxAttempts: number;
  backoffMs: (attempt: number) => number;
  prefetch: number;
}

/** Retry queues vanish a while after their last use; longer than any message stays in them. */
const RETRY_QUEUE_IDLE_MS = 60_000;

export class QueueConsumer {
  private readonly running = new Set<Promise<void>>();
  private current: { channel: ConfirmChannel; consumerTag: string } | undefined;
  private stopped = false;

  constructor(
    private readonly topology: ConsumerTopology,
    private readonly settings: ConsumerSettings,
    private readonly handler: MessageHandler<unknown>,
    private readonly logger: Logger,
    private readonly onRetryQueue: (name: string) => void,
  ) {}

  /** Channel setup: re-run by amqp-connection-manager on every new channel after a reconnect. */
  readonly setup = async (channel: ConfirmChannel): Promise<void> => {
    const { exchange, queue, deadLetterQueue, topics } = this.topology;
    await channel.assertExchange(exchange, 'topic', { durable: true });
    await channel.assertQueue(queue, { durable: true });
    await channel.assertQueue(deadLetterQueue, { durable: true });
    for (const topic of topics) await channel.bindQueue(queue, exchange, topic);
    await channel.prefetch(this.settings.prefetch, false);
    if (this.stopped) return;
    const { consumerTag } = await channel.consume(queue, (delivery) => {
      if (delivery) this.track(this.handle(channel, delivery));
      else this.logger.warn({ queue }, 'consumer cancelled by the broker (queue deleted?)');
    });
    this.current = { channel, consumerTag };
  };

  /** Stops new deliveries, then lets the running handlers finish and ack. */
  async stop(wrapper: ChannelWrapper): Promise<void> {
    this.stopped = true;
    await wrapper.removeSetup(this.setup);
    const current = this.current;
    this.current = undefined;
    if (current) await current.channel.cancel(current.consumerTag).catch(() => undefined);
    await Promise.allSettled([...this.running]);
  }

  private track(run: Promise<void>) {
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  private async handle(channel: ConfirmChannel, delivery: ConsumeMessage): Promise<void> {
    const { queue } = this.topology;
    let message: Message;
    try {
      message = decodeMessage(delivery);
    } catch (err) {
      // Unreadable now is unreadable on every retry: straight to the dead-letter queue.
      this.logger.error({ err, queue }, 'undecodable message dead-lettered');
      await this.settle(channel, delivery, () => this.deadLetter(channel, delivery, 1, err));
      return;
    }
    const log = { queue, topic: message.topic, messageId: message.id, attempt: message.attempt };
    try {
      await this.handler(message);
      this.ack(channel, delivery);
      return;
    } catch (err) {
      if (message.attempt >= this.settings.maxAttempts) {
        this.logger.error({ ...log, err }, 'message dead-lettered');
        await this.settle(channel, delivery, () => this.deadLetter(channel, delivery, message.attempt, err));
      } else {
        const delayMs = Math.max(0, Math.round(this.settings.backoffMs(message.attempt)));
        this.logger.warn({ ...log, err, retryInMs: delayMs }, 'handler failed, will retry');
        await this.settle(channel, delivery, () => this.retry(channel, delivery, message.attempt + 1, delayMs));
      }
    }
  }

  /** Acks only after `move` was confirmed; otherwise the broker redelivers the original later. */
  private async settle(channel: ConfirmChannel, delivery: ConsumeMessage, move: () => Promise<void>) {
    try {
      await move();
      this.ack(channel, delivery);
    } catch (err) {
      this.logger.warn({ err, queue: this.topology.queue }, 'could not move a failed message; the broker will redeliver it');
    }
  }

  private ack(channel: ConfirmChannel, delivery: ConsumeMessage) {
    try {
      channel.ack(delivery);
    } catch (err) {
      this.logger.debug({ err, queue: this.topology.queue }, 'ack on a closed channel; the broker will redeliver');
    }
  }

  private async retry(channel: ConfirmChannel, delivery: ConsumeMessage, attempt: number, delayMs: number) {
    const retryQueue = this.topology.retryQueue(delayMs);
    // One queue per delay with a queue-wide TTL, because RabbitMQ expires messages only at the head of
    // a queue: mixed delays in one queue would hold short ones behind long ones. Declared before every
    // use, because a message published to a queue that does not exist is silently dropped.
    await channel.assertQueue(retryQueue, {
      durable: true,
      arguments: {
        'x-message-ttl': delayMs,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': this.topology.queue,
        'x-expires': delayMs + RETRY_QUEUE_IDLE_MS,
      },
    });
    this.onRetryQueue(retryQueue);
    await publishConfirmed(channel, retryQueue, delivery, { [HEADER.attempt]: attempt });
  }

  private async deadLetter(channel: ConfirmChannel, delivery: ConsumeMessage, attempt: number, err: unknown) {
    await publishConfirmed(channel, this.topology.deadLetterQueue, delivery, {
      [HEADER.attempt]: attempt,
      [HEADER.lastError]: errorText(err),
      [HEADER.failedAt]: new Date().toISOString(),
    });
  }
}

function publishConfirmed(channel: ConfirmChannel, queue: string, delivery: ConsumeMessage, headers: Record<string, unknown>) {
  const { properties } = delivery;
  const options: Options.Publish = {
    persistent: true,
    messageId: properties.messageId as string | undefined,
    contentType: properties.contentType as string | undefined,
    type: properties.type as string | undefined,
    appId: properties.appId as string | undefined,
    timestamp: properties.timestamp as number | undefined,
    headers: {
      ...properties.headers,
      [HEADER.topic]: properties.headers?.[HEADER.topic] ?? delivery.fields.routingKey,
      ...headers,
    },
  };
  return new Promise<void>((resolve, reject) => {
    try {
      channel.sendToQueue(queue, delivery.content, options, (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()));
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
