import type { Logger } from '../log/logger.js';
import type { Bus, DeadLetterQueues } from './bus.js';
import { InProcessBus } from './in-process-bus.js';
import { RabbitMqBus, type RabbitMqBusOptions } from './rabbitmq-bus.js';

export interface CreateBusOptions extends Partial<Omit<RabbitMqBusOptions, 'url' | 'logger' | 'service'>> {
  /** AMQP_URL; without it the bus lives in this process (all services in one process). */
  url?: string | undefined;
  logger: Logger;
  service: string;
}

/**
 * RabbitMQ when a URL is configured, the in-process bus otherwise. The connection to RabbitMQ is made
 * in the background: a service starts while the broker is down and reports it through isConnected().
 */
export function createBus(options: CreateBusOptions): Bus & DeadLetterQueues {
  const { url, ...rest } = options;
  if (url) return new RabbitMqBus({ ...rest, url });
  return new InProcessBus({ logger: options.logger });
}
