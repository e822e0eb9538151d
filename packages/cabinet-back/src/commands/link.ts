import { eventTopics, type LinkAccepted, type LinkByRequest, type LinkBySecret, type LinkRejected, type linkRejectionCodes } from '@app/cabinet-contracts';
import type { Message } from '@app/kernel';
import type { Transaction } from 'kysely';
import { recordLink } from '../links.repo.js';
import { enqueueEvents, type OutgoingEvent } from '../outgoing.js';
import { snapshotEvents } from '../snapshot.js';
import type { CabinetBackDb } from '../tables.js';
import { applyOnce, type BackContext } from './context.js';

export type LinkOutcome =
  | { ok: true; consumerRef: string; version: string; events: OutgoingEvent[] }
  | { ok: false; events: OutgoingEvent[] };

/**
 * Asks billing whether `contractNumber` (with `secret` when given) may be linked, and builds the answer:
 * `link.accepted` followed by the consumer's full data, or `link.rejected` with a code.
 */
export async function decideLink(
  ctx: BackContext,
  command: { commandId: string; userRef: string; contractNumber: string; secret?: string },
  via: LinkAccepted['via'],
): Promise<LinkOutcome> {
  const check = await ctx.adapter.findContractForLink(command.contractNumber, command.secret);
  const base = { commandId: command.commandId, userRef: command.userRef, contractNumber: command.contractNumber };
  if (!check.ok) return { ok: false, events: [rejected({ ...base, code: check.code, message: check.message })] };
  const snapshot = await snapshotEvents(ctx.adapter, check.consumerRef, ctx.snapshotOptions());
  if (!snapshot) return { ok: false, events: [rejected({ ...base, code: 'contract_not_found', message: 'Billing has no consumer for this contract' })] };
  const accepted: LinkAccepted = { ...base, contractNumber: check.contractNumber, consumerRef: check.consumerRef, via };
  return { ok: true, consumerRef: check.consumerRef, version: snapshot.version, events: [{ topic: eventTopics.linkAccepted, payload: accepted }, ...snapshot.events] };
}

/**
 * `LinkRejected` as the contract means it: its `code` is built from an array (`linkRejectionCodes.map`),
 * which TypeBox types as `never`, so the code is typed here from the list itself.
 */
export type LinkRejectedPayload = Omit<LinkRejected, 'code'> & { code: (typeof linkRejectionCodes)[number] };

export function rejected(payload: LinkRejectedPayload): OutgoingEvent {
  return { topic: eventTopics.linkRejected, payload };
}

/** Writes a link decision: the link rows when accepted, and the events. */
export async function writeLink(
  trx: Transaction<CabinetBackDb>,
  outcome: LinkOutcome,
  link: { commandId: string; userRef: string; contractNumber: string; via: LinkAccepted['via'] },
  cause: string[],
) {
  if (outcome.ok) await recordLink(trx, { ...link, consumerRef: outcome.consumerRef, version: outcome.version });
  await enqueueEvents(trx, cause, outcome.events);
}

export async function handleLinkBySecret(ctx: BackContext, message: Message<LinkBySecret>) {
  const command = message.payload;
  await applyOnce(
    ctx,
    message,
    () => decideLink(ctx, command, 'secret'),
    async (trx, outcome) => {
      await writeLink(trx, outcome, { ...command, via: 'secret' }, ['command', message.id]);
      ctx.logger.info({ commandId: command.commandId, accepted: outcome.ok }, 'link by secret decided');
    },
  );
}

/** A link request waits in the back-office queue for an employee; nothing goes back until they decide. */
export async function handleLinkByRequest(ctx: BackContext, message: Message<LinkByRequest>) {
  const command = message.payload;
  await applyOnce(
    ctx,
    message,
    async () => undefined,
    async (trx) => {
      await trx
        .insertInto('link_requests')
        .values({
          command_id: command.commandId,
          user_ref: command.userRef,
          contract_number: command.contractNumber,
          applicant_name: command.applicantName,
          tax_id: command.taxId ?? null,
          comment: command.comment ?? null,
        })
        .onConflict((oc) => oc.column('command_id').doNothing())
        .execute();
    },
  );
}
