import { Scheduler, type Database, type HttpApp, type ServiceRuntime } from '@app/kernel';
import { Type } from 'typebox';
import type { Pii } from '../crypto/pii.js';
import { requireRight } from '../members/scope.js';
import { notifierFrom, type Notifier } from '../notifications/notifier.js';
import { DateOnlyParam } from '../paging.js';
import type { CabinetFrontDb } from '../tables.js';
import { InsightAlerts } from './alerts.js';
import { Insights } from './insights.service.js';

const consumer = { access: { roles: ['consumer'] } } as const;
const tags = ['insights'];
const Id = Type.String({ minLength: 1, maxLength: 64 });
const Settings = Type.Object({ debt: Type.Boolean(), missing_reading: Type.Boolean(), unusual_consumption: Type.Boolean() });
const Kwh = Type.String({ description: 'kWh, decimal text' });
const Compared = Type.Object({
  from: Type.String({ format: 'date' }),
  to: Type.String({ format: 'date' }),
  kwh: Kwh,
  daysWithData: Type.Integer(),
  /** Absent when the other period had no consumption. */
  changeKwh: Type.Optional(Kwh),
  changePercent: Type.Optional(Type.String()),
});
const Comparison = Type.Object({
  contractId: Type.String(),
  period: Type.Object({ from: Type.String({ format: 'date' }), to: Type.String({ format: 'date' }), kwh: Kwh, daysWithData: Type.Integer() }),
  previous: Compared,
  lastYear: Compared,
});
const Forecast = Type.Object({
  contractId: Type.String(),
  month: Type.String({ description: 'YYYY-MM' }),
  asOf: Type.String({ format: 'date' }),
  daysInMonth: Type.Integer(),
  daysWithData: Type.Integer(),
  kwhSoFar: Kwh,
  forecastKwh: Type.Optional(Kwh),
  priceSource: Type.Union([Type.Literal('account_card'), Type.Literal('none')]),
  pricePerKwh: Type.Optional(Type.String({ description: 'roubles per kWh' })),
  priceMonths: Type.Optional(Type.Array(Type.String())),
  forecastAmount: Type.Optional(Type.String({ description: 'kopecks' })),
});

export interface InsightsOptions {
  notifier?: Notifier;
  /** false: no scheduler in this app (tests run the alerts themselves). */
  schedule?: boolean;
}

/** Consumption insight routes, alert settings, and the daily alerts job on the kernel Scheduler. */
export function registerInsights(app: HttpApp, runtime: ServiceRuntime, deps: { pii: Pii; today: () => string; options?: InsightsOptions }) {
  const database = runtime.database as Database<CabinetFrontDb>;
  const insights = new Insights({ database, today: deps.today });
  const notifier = deps.options?.notifier ?? notifierFrom({ SMTP_URL: process.env.SMTP_URL, MAIL_FROM: process.env.MAIL_FROM }, runtime.logger.child({ component: 'notifier' }));
  const alerts = new InsightAlerts({ database, pii: deps.pii, notifier, today: deps.today, logger: runtime.logger.child({ component: 'alerts' }) });

  app.get(
    '/api/contracts/:contractId/insights/comparison',
    { config: consumer, schema: { tags, summary: 'kWh of a period against the previous period of the same length and the same dates last year', params: Type.Object({ contractId: Id }), querystring: Type.Object({ from: DateOnlyParam, to: DateOnlyParam }, { additionalProperties: false }), response: { 200: Comparison } } },
    async (request) => insights.comparison(request.user!.id, request.params.contractId, request.query.from, request.query.to),
  );
  app.get(
    '/api/contracts/:contractId/insights/forecast',
    { config: consumer, schema: { tags, summary: 'This month\'s kWh and bill forecast from the profile so far (price: the account card\'s charged ÷ kWh of the last three months)', params: Type.Object({ contractId: Id }), response: { 200: Forecast } } },
    async (request) => insights.forecast(request.user!.id, request.params.contractId),
  );
  app.get(
    '/api/consumers/:consumerRef/alert-settings',
    { config: consumer, schema: { tags, summary: 'Which e-mail alerts you get for this consumer (all on by default)', params: Type.Object({ consumerRef: Id }), response: { 200: Settings } } },
    async (request) => {
      await requireRight(database.db, request.user!.id, request.params.consumerRef, 'view', 'consumer_not_found');
      return alerts.settings(request.user!.id, request.params.consumerRef);
    },
  );
  app.put(
    '/api/consumers/:consumerRef/alert-settings',
    { config: consumer, schema: { tags, summary: 'Switch e-mail alerts on or off', params: Type.Object({ consumerRef: Id }), body: Type.Partial(Settings, { additionalProperties: false, minProperties: 1 }), response: { 200: Settings } } },
    async (request) => {
      await requireRight(database.db, request.user!.id, request.params.consumerRef, 'view', 'consumer_not_found');
      return alerts.setSettings(request.user!.id, request.params.consumerRef, request.body);
    },
  );

  if (deps.options?.schedule !== false) {
    const scheduler = new Scheduler({ database, logger: runtime.logger.child({ component: 'scheduler' }) });
    scheduler.register(alerts.job());
    app.addHook('onReady', async () => scheduler.start());
    app.addHook('onClose', async () => scheduler.stop());
  }
  return { insights, alerts };
}
