import { createLogger } from '../log/logger.js';
import { busContract } from './bus.contract.js';
import { InProcessBus } from './in-process-bus.js';

busContract('in-process', async () => {
  const bus = new InProcessBus({ logger: createLogger({ service: 'test', level: process.env.LOG_LEVEL ?? 'silent' }) });
  return { first: bus, second: bus, cleanup: () => bus.close() };
});
