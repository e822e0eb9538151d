import {
  AccountChanged,
  ConsumerSnapshot,
  ContractChanged,
  eventTopics,
  InvoiceIssued,
  LinkAccepted,
  LinkRejected,
  PaymentBooked,
  ProfileComputed,
  ReadingsProcessed,
} from '@app/cabinet-contracts';
import { HourlyProcessed, hourlyTopics, PaymentRegistered, paymentTopics, SupportGranted, supportTopics } from '@app/cabinet-contracts';
import { applySupportGranted } from '../support/support.js';
import { applyPaymentRegistered } from '../payments/payments.service.js';
import { applyHourlyProcessed } from '../uploads/uploads.apply.js';
import { consumeOnce, type Database, type Logger, type Message, type ServiceRuntime, type Subscription } from '@app/kernel';
import type { Transaction } from 'kysely';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import type { Pii } from '../crypto/pii.js';
import { documentEventRoutes } from '../documents-area.js';
import { applyLinkAccepted, applyLinkRejected } from '../links/link.service.js';
import type { CabinetFrontDb } from '../tables.js';
import { applyAccount, applyContract, applyHourly, applyInvoice, applyPayment, applyProfile, applyReadings, applySnapshot } from './apply.js';

/** The front's durable queue of the back's events; every front instance shares it (competing consumers). */
export const EVENTS_QUEUE = 'cabinet-front.events';
export const EVENT_TOPICS = ['cabinet.evt.#'];
const CONSUMER = 'cabinet-front.events';

type Trx = Transaction<CabinetFrontDb>;
interface EventRoute {
  schema: TSchema;
  apply: (trx: Trx, pii: Pii, payload: never) => Promise<unknown>;
}

const routes: Record<string, EventRoute> = {
  [eventTopics.linkAccepted]: { schema: LinkAccepted, apply: (trx, _pii, e: LinkAccepted) => applyLinkAccepted(trx, e) },
  [eventTopics.linkRejected]: { schema: LinkRejected, apply: (trx, _pii, e: LinkRejected) => applyLinkRejected(trx, e) },
  [eventTopics.consumerSnapshot]: { schema: ConsumerSnapshot, apply: (trx, pii, e: ConsumerSnapshot) => applySnapshot(trx, pii, e) },
  [eventTopics.contractChanged]: {
    schema: ContractChanged,
    apply: async (trx, pii, e: ContractChanged) => {
      if (e.profile) await applyProfile(trx, pii, e.consumerRef, e.version, e.profile);
      await applyContract(trx, pii, e.consumerRef, e.version, e.contract);
    },
  },
  [eventTopics.readingsProcessed]: { schema: ReadingsProcessed, apply: (trx, _pii, e: ReadingsProcessed) => applyReadings(trx, e.consumerRef, e.version, e.submissionId, e.readings) },
  [eventTopics.profileComputed]: { schema: ProfileComputed, apply: (trx, _pii, e: ProfileComputed) => applyHourly(trx, e.consumerRef, e.version, e.meteringPointId, e.kind, e.days) },
  [eventTopics.invoiceIssued]: { schema: InvoiceIssued, apply: (trx, pii, e: InvoiceIssued) => applyInvoice(trx, pii, e.consumerRef, e.version, e.invoice) },
  [eventTopics.paymentBooked]: { schema: PaymentBooked, apply: (trx, _pii, e: PaymentBooked) => applyPayment(trx, e.consumerRef, e.version, e.payment) },
  [eventTopics.accountChanged]: { schema: AccountChanged, apply: (trx, _pii, e: AccountChanged) => applyAccount(trx, e.consumerRef, e.version, e.account) },
  [paymentTopics.registered]: { schema: PaymentRegistered, apply: (trx, _pii, e: PaymentRegistered) => applyPaymentRegistered(trx, e) },
  [hourlyTopics.processed]: { schema: HourlyProcessed, apply: (trx, _pii, e: HourlyProcessed) => applyHourlyProcessed(trx, e) },
  [supportTopics.granted]: { schema: SupportGranted, apply: (trx, _pii, e: SupportGranted) => applySupportGranted(trx, e) },
  ...documentEventRoutes,
};

/**
 * Applies one event: once per message id (kernel inbox, same transaction as the change), and only
 * where it is newer than what is stored (apply.ts). An event that does not match the published schema
 * can never apply: its id, topic and problems (not its payload, which may hold personal data) go to
 * dead_events and it is acknowledged rather than retried into the dead-letter queue.
 */
export async function handleEvent(deps: { database: Database<CabinetFrontDb>; pii: Pii; logger: Logger }, message: Message<unknown>) {
  const route = routes[message.topic];
  const problems = !route ? [{ path: '', message: `unknown event topic ${message.topic}` }] : [...Value.Errors(route.schema, message.payload)].slice(0, 20).map((e) => ({ path: e.instancePath, message: e.message }));
  if (!route || problems.length > 0) {
    deps.logger.error({ topic: message.topic, messageId: message.id, problems }, 'event does not match the published contract; kept in dead_events');
    await deps.database.db.insertInto('dead_events').values({ message_id: message.id, topic: message.topic, problems: JSON.stringify(problems) }).onConflict((oc) => oc.column('message_id').doNothing()).execute();
    return;
  }
  await consumeOnce(deps.database, CONSUMER, message, (trx) => route.apply(trx, deps.pii, message.payload as never) as Promise<void>);
}

/**
 * Subscribes the front to the back's events. One at a time per instance (prefetch 1): events of one
 * consumer then apply in arrival order on this instance, and a failed one (database away) is retried
 * by the bus with back-off rather than lost.
 */
export function consumeEvents(runtime: ServiceRuntime, pii: Pii, options: { maxAttempts?: number; prefetch?: number } = {}): Promise<Subscription> {
  const deps = { database: runtime.database as Database<CabinetFrontDb>, pii, logger: runtime.logger.child({ component: 'events' }) };
  return runtime.bus.subscribe<unknown>(EVENTS_QUEUE, EVENT_TOPICS, (message) => handleEvent(deps, message), {
    maxAttempts: options.maxAttempts ?? 1000,
    prefetch: options.prefetch ?? 1,
  });
}
