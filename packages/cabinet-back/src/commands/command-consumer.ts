import { commandTopics, hourlyTopics, LinkByRequest, LinkBySecret, paymentTopics, RegisterPayment, Resync, SubmitHourly, SubmitReadings } from '@app/cabinet-contracts';
import type { Message, Subscription } from '@app/kernel';
import { backOfficeCommandRoutes } from '../back-office/commands.js';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { deadCommand, type BackContext } from './context.js';
import { handleLinkByRequest, handleLinkBySecret } from './link.js';
import { handleSubmitReadings } from './readings.js';
import { handleResync } from './resync.js';
import { handleRegisterPayment } from './payment.js';
import { handleSubmitHourly } from './hourly.js';

/** The durable queue of every command the front sends; all back instances share it. */
export const COMMANDS_QUEUE = 'cabinet-back.commands';
export const COMMAND_TOPICS = ['cabinet.cmd.#'];

interface CommandRoute {
  schema: TSchema;
  handle: (ctx: BackContext, message: Message<never>) => Promise<void>;
}

const routes: Record<string, CommandRoute> = {
  [commandTopics.linkBySecret]: { schema: LinkBySecret, handle: handleLinkBySecret },
  [commandTopics.linkByRequest]: { schema: LinkByRequest, handle: handleLinkByRequest },
  [commandTopics.submitReadings]: { schema: SubmitReadings, handle: handleSubmitReadings },
  [commandTopics.resync]: { schema: Resync, handle: handleResync },
  [paymentTopics.register]: { schema: RegisterPayment, handle: handleRegisterPayment },
  [hourlyTopics.submit]: { schema: SubmitHourly, handle: handleSubmitHourly },
  ...backOfficeCommandRoutes,
};

export interface CommandConsumerOptions {
  /**
   * Deliveries before the bus dead-letters a command. A billing outage is ridden out by retrying, so
   * this is large: with the default back-off (1 s, 5 s, 30 s, then every 2 minutes) 1000 attempts wait
   * about 33 hours for billing to return.
   */
  maxAttempts?: number;
  backoffMs?: (attempt: number) => number;
  prefetch?: number;
}

/**
 * Consumes the front's commands. A payload that does not match the published schema, or a topic the
 * back does not know, can never apply: it is kept in `dead_commands` and logged, not retried. Any
 * error thrown (billing unavailable above all) makes the bus redeliver the command with back-off.
 */
export function consumeCommands(ctx: BackContext, options: CommandConsumerOptions = {}): Promise<Subscription> {
  return ctx.bus.subscribe<unknown>(
    COMMANDS_QUEUE,
    COMMAND_TOPICS,
    async (message) => {
      const route = routes[message.topic];
      if (!route) {
        await deadCommand(ctx, message, [{ code: 'unknown_command', message: `No handler for ${message.topic}` }]);
        return;
      }
      if (!Value.Check(route.schema, message.payload)) {
        await deadCommand(ctx, message, payloadProblems(route.schema, message.payload));
        return;
      }
      await route.handle(ctx, message as Message<never>);
    },
    { maxAttempts: options.maxAttempts ?? 1000, backoffMs: options.backoffMs, prefetch: options.prefetch ?? 4 },
  );
}

/** Schema errors as field problems: one per missing property, one per wrong value. */
export function payloadProblems(schema: TSchema, payload: unknown): Array<{ code: string; field: string; message: string }> {
  return [...Value.Errors(schema, payload)].slice(0, 20).flatMap((e) => {
    const missing = e.keyword === 'required' ? ((e.params as { requiredProperties?: string[] }).requiredProperties ?? []) : [];
    if (missing.length > 0) return missing.map((name) => ({ code: 'required', field: `${e.instancePath}/${name}`, message: `${name} is required` }));
    return [{ code: 'invalid_payload', field: e.instancePath, message: e.message }];
  });
}
