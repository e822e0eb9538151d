import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';
import { createLogger } from '../log/logger.js';
import { busContract } from './bus.contract.js';
import { RabbitMqBus } from './rabbitmq-bus.js';

const url = process.env.AMQP_URL;

if (url) {
  busContract('RabbitMQ', async () => {
    const logger = createLogger({ service: 'test', level: process.env.LOG_LEVEL ?? 'silent' });
    // A prefix of its own keeps this suite's exchanges and queues apart from parallel suites.
    const prefix = `test-${randomUUID().slice(0, 8)}`;
    const first = new RabbitMqBus({ url, logger, service: 'contract-a', prefix, reconnectDelayMs: 200 });
    const second = new RabbitMqBus({ url, logger, service: 'contract-b', prefix, reconnectDelayMs: 200 });
    await Promise.all([first.waitForConnect(), second.waitForConnect()]);
    return {
      first,
      second,
      cleanup: async (queues) => {
        await first.deleteTopology({ queues, exchanges: true });
        await Promise.all([first.close(), second.close()]);
      },
    };
  });
} else {
  describe('Bus contract: RabbitMQ', () => {
    it.skip('needs AMQP_URL', () => {});
  });
}
