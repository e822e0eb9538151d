import type { Resync } from '@app/cabinet-contracts';
import type { Message } from '@app/kernel';
import { isLinked, markCovered } from '../links.repo.js';
import { enqueueEvents } from '../outgoing.js';
import { snapshotEvents } from '../snapshot.js';
import { applyOnce, deadCommand, type BackContext } from './context.js';

/** The front asks for a consumer's full data again (it found a gap, or restored a backup). */
export async function handleResync(ctx: BackContext, message: Message<Resync>) {
  const { consumerRef } = message.payload;
  if (!(await isLinked(ctx.database.db, consumerRef))) {
    await deadCommand(ctx, message, [{ code: 'consumer_not_linked', message: `Consumer ${consumerRef} is not linked to the cabinet` }]);
    return;
  }
  await applyOnce(
    ctx,
    message,
    () => snapshotEvents(ctx.adapter, consumerRef, ctx.snapshotOptions()),
    async (trx, snapshot) => {
      if (!snapshot) {
        ctx.logger.warn({ consumerRef }, 'resync asked for a consumer billing no longer knows');
        return;
      }
      await enqueueEvents(trx, ['command', message.id], snapshot.events);
      await markCovered(trx, consumerRef, snapshot.version);
    },
  );
}
