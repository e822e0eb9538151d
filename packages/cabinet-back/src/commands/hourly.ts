import { eventTopics, hourlyTopics, type AccountChanged, type HourlyProcessed, type SubmitHourly } from '@app/cabinet-contracts';
import type { Message } from '@app/kernel';
import { isLinked, touchLinked } from '../links.repo.js';
import { enqueueEvents, type OutgoingEvent } from '../outgoing.js';
import { profileEvents } from '../snapshot.js';
import { applyOnce, deadCommand, type BackContext } from './context.js';

/**
 * Hourly readings uploaded in the cabinet (one metering point per command) go to billing's
 * `submitHourly`; back come `hourly.processed` (days stored, days refused with a code), the stored
 * days as `profile.computed` (kind metered, one event per month) and `account.changed`.
 */
export async function handleSubmitHourly(ctx: BackContext, message: Message<SubmitHourly>) {
  const command = message.payload;
  if (!(await isLinked(ctx.database.db, command.consumerRef))) {
    await deadCommand(ctx, message, [{ code: 'consumer_not_linked', message: `Consumer ${command.consumerRef} is not linked to the cabinet` }]);
    return;
  }
  await applyOnce(
    ctx,
    message,
    () => storeHourly(ctx, command),
    async (trx, events) => {
      await enqueueEvents(trx, ['command', message.id], events);
      await touchLinked(trx, command.consumerRef);
    },
  );
}

async function storeHourly(ctx: BackContext, command: SubmitHourly): Promise<OutgoingEvent[]> {
  const result = await ctx.adapter.submitHourly(command.consumerRef, command.meteringPointId, command.days);
  const processed: HourlyProcessed = {
    submissionId: command.submissionId,
    uploadId: command.uploadId,
    consumerRef: command.consumerRef,
    meteringPointId: command.meteringPointId,
    version: result.version,
    accepted: result.accepted,
    rejected: result.rejected,
  };
  const events: OutgoingEvent[] = [{ topic: hourlyTopics.processed, payload: processed }];
  if (result.from && result.to) {
    const metered = await profileEvents(ctx.adapter, command.consumerRef, result.version, command.meteringPointId, result.from, result.to);
    events.push(...metered.filter((e) => (e.payload as { kind: string }).kind === 'metered'));
  }
  for (const contractId of new Set(result.accountsChanged)) {
    const account = await ctx.adapter.account(contractId);
    if (account) events.push({ topic: eventTopics.accountChanged, payload: { consumerRef: command.consumerRef, version: result.version, account } satisfies AccountChanged });
  }
  return events;
}
