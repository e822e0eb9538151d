import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Notice } from '../../shared/ui/Feedback.js';
import { api, call, type Ok } from '../api/client.js';
import { Field } from '../shell/Field.js';
import { date, month, number, rub } from '../shell/format.js';
import { InsightsChart } from './InsightsChart.js';

type Comparison = Ok<'/api/contracts/{contractId}/insights/comparison', 'get'>;
type Settings = Ok<'/api/consumers/{consumerRef}/alert-settings', 'get'>;
const ALERTS = ['debt', 'missing_reading', 'unusual_consumption'] as const;

const iso = (d: Date) => d.toLocaleDateString('sv-SE');
/** The last whole month: the comparison's default period. */
function lastMonth() {
  const now = new Date();
  return { from: iso(new Date(now.getFullYear(), now.getMonth() - 1, 1)), to: iso(new Date(now.getFullYear(), now.getMonth(), 0)) };
}

/**
 * Consumption insight of a contract: a period against the one before it (same length) and the same dates
 * a year earlier (a chart and a table), this month's forecast of kWh and of the bill from the profile so
 * far, and which e-mail alerts the consumer gets (past-due debt, a missing monthly reading, unusual
 * consumption).
 */
export function InsightsScreen() {
  const { t } = useTranslation();
  const contracts = useQuery({ queryKey: ['contracts', 'all'], queryFn: () => call(api.GET('/api/contracts', { params: { query: { limit: 200, offset: 0 } } })) });
  const [contractId, setContractId] = useState('');
  const contract = contracts.data?.items.find((c) => c.id === contractId) ?? contracts.data?.items[0];
  const [range, setRange] = useState(lastMonth);
  const [asked, setAsked] = useState(range);
  const id = contract?.id ?? '';
  const comparison = useQuery({
    queryKey: ['insights', 'comparison', id, asked],
    queryFn: () => call(api.GET('/api/contracts/{contractId}/insights/comparison', { params: { path: { contractId: id }, query: asked } })),
    enabled: !!id,
  });
  const forecast = useQuery({ queryKey: ['insights', 'forecast', id], queryFn: () => call(api.GET('/api/contracts/{contractId}/insights/forecast', { params: { path: { contractId: id } } })), enabled: !!id });
  const f = forecast.data;

  return (
    <section>
      <h1>{t('insights.title')}</h1>
      <ErrorNote error={contracts.error} />
      {contracts.data && contracts.data.items.length === 0 && <p className="card">{t('insights.noContracts')}</p>}
      {contract && (
        <>
          <form
            className="card"
            aria-label={t('insights.choose')}
            onSubmit={(e) => {
              e.preventDefault();
              setAsked(range);
            }}
          >
            <div className="grid">
              <Field label={t('insights.contract')}>
                <select name="contract" value={contract.id} onChange={(e) => setContractId(e.target.value)}>
                  {contracts.data!.items.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.number}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label={t('insights.from')}>
                <input name="from" type="date" required value={range.from} onChange={(e) => setRange((r) => ({ ...r, from: e.target.value }))} />
              </Field>
              <Field label={t('insights.to')}>
                <input name="to" type="date" required value={range.to} onChange={(e) => setRange((r) => ({ ...r, to: e.target.value }))} />
              </Field>
            </div>
            <button type="submit">{t('insights.compare')}</button>
          </form>
          <ErrorNote error={comparison.error} />
          {comparison.data && <ComparisonView c={comparison.data} />}
          <section className="card" aria-labelledby="forecast-heading">
            <h2 id="forecast-heading">{t('insights.forecast.title', { month: f ? month(f.month) : '' })}</h2>
            <ErrorNote error={forecast.error} />
            {f && f.forecastKwh === undefined && <p>{t('insights.forecast.noData')}</p>}
            {f && f.forecastKwh !== undefined && (
              <dl className="facts" data-testid="forecast">
                <dt>{t('insights.forecast.kwh')}</dt>
                <dd data-testid="forecast-kwh">
                  {number(f.forecastKwh, 0)} {t('insights.kwh')}
                </dd>
                <dt>{t('insights.forecast.amount')}</dt>
                <dd data-testid="forecast-amount">{f.forecastAmount !== undefined ? rub(f.forecastAmount) : t('insights.forecast.noPrice')}</dd>
                <dt>{t('insights.forecast.soFar')}</dt>
                <dd>{t('insights.forecast.soFarValue', { kwh: number(f.kwhSoFar, 1), days: f.daysWithData, of: f.daysInMonth })}</dd>
                {f.pricePerKwh && (
                  <>
                    <dt>{t('insights.forecast.price')}</dt>
                    <dd>{t('insights.forecast.priceValue', { price: number(f.pricePerKwh, 2), months: (f.priceMonths ?? []).map(month).join(', ') })}</dd>
                  </>
                )}
              </dl>
            )}
          </section>
          <AlertSettings consumerRef={contract.consumerRef} />
        </>
      )}
    </section>
  );
}

function ComparisonView({ c }: { c: Comparison }) {
  const { t } = useTranslation();
  const rows = [
    { key: 'period', label: t('insights.period'), ...c.period, changeKwh: undefined as string | undefined, changePercent: undefined as string | undefined },
    { key: 'previous', label: t('insights.previous'), ...c.previous },
    { key: 'lastYear', label: t('insights.lastYear'), ...c.lastYear },
  ];
  const span = (r: { from: string; to: string }) => `${date(r.from)} — ${date(r.to)}`;
  const change = (r: (typeof rows)[number]) => (r.changePercent === undefined ? '—' : t(Number(r.changePercent) >= 0 ? 'insights.more' : 'insights.less', { value: number(Math.abs(Number(r.changePercent)), 1) }));
  return (
    <section className="card" aria-labelledby="comparison-heading">
      <h2 id="comparison-heading">{t('insights.comparison')}</h2>
      <InsightsChart
        labels={rows.map((r) => r.label)}
        values={rows.map((r) => Number(r.kwh))}
        unit={t('insights.kwh')}
        summary={t('insights.chartSummary', { now: number(c.period.kwh, 1), previous: number(c.previous.kwh, 1), lastYear: number(c.lastYear.kwh, 1) })}
      />
      <DataTable
        caption={t('insights.comparison')}
        rows={rows}
        rowKey={(r) => r.key}
        columns={[
          { key: 'what', title: t('insights.what'), render: (r) => r.label },
          { key: 'dates', title: t('insights.dates'), render: span },
          { key: 'kwh', title: t('insights.kwh'), numeric: true, render: (r) => <span data-testid={`kwh-${r.key}`}>{number(r.kwh, 1)}</span> },
          { key: 'days', title: t('insights.daysWithData'), numeric: true, render: (r) => r.daysWithData },
          { key: 'change', title: t('insights.change'), render: (r) => <span data-testid={`change-${r.key}`}>{r.key === 'period' ? '' : change(r)}</span> },
        ]}
      />
    </section>
  );
}

function AlertSettings({ consumerRef }: { consumerRef: string }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const key = ['alert-settings', consumerRef];
  const settings = useQuery({ queryKey: key, queryFn: () => call(api.GET('/api/consumers/{consumerRef}/alert-settings', { params: { path: { consumerRef } } })) });
  const [draft, setDraft] = useState<Settings | null>(null);
  const shown = draft ?? settings.data;
  const save = useMutation({
    mutationFn: (body: Settings) => call(api.PUT('/api/consumers/{consumerRef}/alert-settings', { params: { path: { consumerRef } }, body })),
    onSuccess: (saved) => {
      client.setQueryData(key, saved);
      setDraft(null);
    },
  });
  return (
    <form
      className="card"
      aria-labelledby="alerts-heading"
      onSubmit={(e) => {
        e.preventDefault();
        if (shown) save.mutate(shown);
      }}
    >
      <h2 id="alerts-heading">{t('insights.alerts.title')}</h2>
      <p className="hint">{t('insights.alerts.hint')}</p>
      <ErrorNote error={settings.error ?? save.error} />
      {shown && (
        <fieldset>
          <legend>{t('insights.alerts.legend')}</legend>
          {ALERTS.map((a) => (
            <label key={a} className="check">
              <input
                type="checkbox"
                name={`alert-${a}`}
                checked={shown[a]}
                onChange={(e) => {
                  save.reset();
                  setDraft({ ...shown, [a]: e.target.checked });
                }}
              />
              {t(`insights.alerts.${a}`)}
            </label>
          ))}
        </fieldset>
      )}
      {save.isSuccess && <Notice>{t('insights.alerts.saved')}</Notice>}
      <button type="submit" disabled={!shown || save.isPending}>
        {t('common.save')}
      </button>
    </form>
  );
}
