import { eventTopics, paymentTopics, type AccountChanged, type PaymentBooked, type PaymentRegistered, type RegisterPayment } from '@app/cabinet-contracts';
import type { Message } from '@app/kernel';
import { isLinked, touchLinked } from '../links.repo.js';
import { enqueueEvents, type OutgoingEvent } from '../outgoing.js';
import { applyOnce, deadCommand, type BackContext } from './context.js';

/**
 * A card payment the front's acquirer confirmed goes to billing (`registerPayment`, idempotent by the
 * acquirer's payment id), and back come `payment.booked` + `account.changed` (as for any payment) and
 * `payment.registered` for the front's order. A refusal (the contract is not this consumer's) is
 * `payment.registered` with status `refused`: the money was taken, so an employee has to act on it.
 */
export async function handleRegisterPayment(ctx: BackContext, message: Message<RegisterPayment>) {
  const command = message.payload;
  if (!(await isLinked(ctx.database.db, command.consumerRef))) {
    await deadCommand(ctx, message, [{ code: 'consumer_not_linked', message: `Consumer ${command.consumerRef} is not linked to the cabinet` }]);
    return;
  }
  await applyOnce(
    ctx,
    message,
    () => bookPayment(ctx, command),
    async (trx, events) => {
      await enqueueEvents(trx, ['command', message.id], events);
      await touchLinked(trx, command.consumerRef);
    },
  );
}

async function bookPayment(ctx: BackContext, command: RegisterPayment): Promise<OutgoingEvent[]> {
  const result = await ctx.adapter.registerPayment(command.consumerRef, {
    contractId: command.contractId,
    amount: BigInt(command.amount),
    paidOn: command.paidOn,
    externalRef: command.externalRef,
    document: `Онлайн-оплата картой ${command.externalRef}`,
  });
  if (!result.ok) {
    ctx.logger.error({ orderId: command.orderId, code: result.code }, 'card payment refused by billing: needs an employee');
    const refused: PaymentRegistered = { orderId: command.orderId, consumerRef: command.consumerRef, version: '0', status: 'refused', amount: command.amount, code: result.code, message: result.message };
    return [{ topic: paymentTopics.registered, payload: refused }];
  }
  const events: OutgoingEvent[] = [{ topic: eventTopics.paymentBooked, payload: { consumerRef: command.consumerRef, version: result.version, payment: result.payment } satisfies PaymentBooked }];
  const account = await ctx.adapter.account(command.contractId);
  if (account) events.push({ topic: eventTopics.accountChanged, payload: { consumerRef: command.consumerRef, version: result.version, account } satisfies AccountChanged });
  const registered: PaymentRegistered = { orderId: command.orderId, consumerRef: command.consumerRef, version: result.version, status: 'booked', paymentId: result.payment.id, amount: result.payment.amount };
  events.push({ topic: paymentTopics.registered, payload: registered });
  return events;
}
