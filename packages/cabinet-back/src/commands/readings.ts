import { eventTopics, type AccountChanged, type ReadingsProcessed, type SubmitReadings } from '@app/cabinet-contracts';
import type { Message } from '@app/kernel';
import type { BillingAdapter } from '../billing/billing-adapter.js';
import { isLinked, touchLinked } from '../links.repo.js';
import { enqueueEvents, type OutgoingEvent } from '../outgoing.js';
import { profileEvents } from '../snapshot.js';
import { applyOnce, deadCommand, type BackContext } from './context.js';

/**
 * Readings entered in the cabinet go to billing's acceptance rules; the outcome of each (accepted, or
 * rejected with a reason) goes back as `readings.processed`, followed by the account cards and hourly
 * profiles billing recomputed from them.
 */
export async function handleSubmitReadings(ctx: BackContext, message: Message<SubmitReadings>) {
  const command = message.payload;
  if (!(await isLinked(ctx.database.db, command.consumerRef))) {
    await deadCommand(ctx, message, [{ code: 'consumer_not_linked', message: `Consumer ${command.consumerRef} is not linked to the cabinet` }]);
    return;
  }
  await applyOnce(
    ctx,
    message,
    () => processReadings(ctx.adapter, command),
    async (trx, events) => {
      await enqueueEvents(trx, ['command', message.id], events);
      await touchLinked(trx, command.consumerRef);
    },
  );
}

export async function processReadings(adapter: BillingAdapter, command: SubmitReadings): Promise<OutgoingEvent[]> {
  const result = await adapter.submitReadings(command.consumerRef, command.readings);
  const processed: ReadingsProcessed = { consumerRef: command.consumerRef, version: result.version, submissionId: command.submissionId, readings: result.readings };
  const events: OutgoingEvent[] = [{ topic: eventTopics.readingsProcessed, payload: processed }];
  for (const contractId of new Set(result.accountsChanged)) {
    const account = await adapter.account(contractId);
    if (account) events.push({ topic: eventTopics.accountChanged, payload: { consumerRef: command.consumerRef, version: result.version, account } satisfies AccountChanged });
  }
  for (const change of result.profilesChanged) {
    events.push(...(await profileEvents(adapter, command.consumerRef, result.version, change.meteringPointId, change.from, change.to)));
  }
  return events;
}
