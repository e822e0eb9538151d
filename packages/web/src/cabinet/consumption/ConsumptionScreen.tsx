import { useQuery } from '@tanstack/react-query';
import i18n from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useRouter } from '../../shared/router.js';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { api, call, saveBlob } from '../api/client.js';
import { Field } from '../shell/Field.js';
import { number } from '../shell/format.js';
import { xlsx } from '../shell/xlsx.js';
import { ConsumptionChart } from './ConsumptionChart.js';
import { buckets, period, previousAnchor, round3, type View } from './periods.js';

type Kind = 'profile' | 'metered';

const yesterday = () => {
  const d = new Date();
  d.setDate(d.getDate() - 1);
  return d.toLocaleDateString('sv-SE');
};

/**
 * Consumption of a metering point as a chart: a day by hours, a month by days, a year by months — the
 * metered hourly data of an interval meter, or billing's calculated load profile — with the period
 * before beside it, the same numbers as a table, and an Excel file of what is shown.
 */
export function ConsumptionScreen() {
  const { t } = useTranslation();
  const { search, navigate } = useRouter();
  const points = useQuery({ queryKey: ['points', 'all'], queryFn: () => call(api.GET('/api/metering-points', { params: { query: { limit: 200, offset: 0 } } })) });
  const pointId = search.get('point') ?? points.data?.items[0]?.id ?? '';
  const point = points.data?.items.find((p) => p.id === pointId);
  const [view, setView] = useState<View>('day');
  const [anchor, setAnchor] = useState(yesterday());
  // Metered data where the point has an interval meter (billing computes no profile for it), else billing's profile.
  const meters = useQuery({ queryKey: ['meters', 'point', pointId], queryFn: () => call(api.GET('/api/meters', { params: { query: { pointId, limit: 20, offset: 0 } } })), enabled: !!pointId });
  const [chosenKind, setKind] = useState<Kind>();
  const kind: Kind = chosenKind ?? (meters.data?.items.some((m) => m.kind === 'interval') ? 'metered' : 'profile');
  const ready = !!pointId && (chosenKind !== undefined || meters.isFetched);
  const [compare, setCompare] = useState(true);

  const current = period(view, anchor);
  const before = previousAnchor(view, anchor);
  const prior = period(view, before);
  const hourly = (range: { from: string; to: string }) => () => call(api.GET('/api/metering-points/{pointId}/hourly', { params: { path: { pointId }, query: { kind, ...range } } }));
  const now = useQuery({ queryKey: ['hourly', pointId, kind, current], queryFn: hourly(current), enabled: ready });
  const then = useQuery({ queryKey: ['hourly', pointId, kind, prior], queryFn: hourly(prior), enabled: ready && compare });

  const values = now.data ? buckets(view, anchor, now.data.days).map(round3) : undefined;
  const previous = compare && then.data ? buckets(view, before, then.data.days).map(round3) : undefined;
  const locale = i18n.language === 'en' ? 'en-GB' : 'ru-RU';
  const labels =
    view === 'day'
      ? Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`)
      : view === 'month'
        ? (values ?? []).map((_, i) => String(i + 1))
        : Array.from({ length: 12 }, (_, m) => new Intl.DateTimeFormat(locale, { month: 'short' }).format(new Date(2026, m, 1)));
  const total = (xs?: (number | null)[]) => (xs ? xs.reduce<number>((n, x) => n + (x ?? 0), 0) : null);
  const totalNow = total(values);
  const totalThen = total(previous);
  const change = totalNow !== null && totalThen ? ((totalNow - totalThen) / totalThen) * 100 : null;
  const periodName = (view: View, anchor: string) =>
    view === 'day'
      ? new Intl.DateTimeFormat(locale, { dateStyle: 'long' }).format(new Date(`${anchor}T00:00:00`))
      : view === 'month'
        ? new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric' }).format(new Date(`${anchor.slice(0, 7)}-01T00:00:00`))
        : anchor.slice(0, 4);
  const hasData = values?.some((v) => v !== null);

  const exportXlsx = () => {
    const header = [t(`consumption.bucket.${view}`), `${periodName(view, anchor)}, ${t('consumption.kwh')}`, ...(previous ? [`${periodName(view, before)}, ${t('consumption.kwh')}`] : [])];
    const rows = labels.map((label, i) => [label, values?.[i] ?? null, ...(previous ? [previous[i] ?? null] : [])]);
    rows.push([t('consumption.total'), round3(totalNow), ...(previous ? [round3(totalThen)] : [])]);
    saveBlob(xlsx(t('consumption.sheet'), header, rows), `consumption-${point?.code ?? pointId}-${view}-${current.from}.xlsx`);
  };

  return (
    <section>
      <h1>{t('nav.consumption')}</h1>
      <ErrorNote error={points.error} />
      <form className="card" aria-label={t('consumption.choose')} onSubmit={(e) => e.preventDefault()}>
        <div className="grid">
          <Field label={t('consumption.point')}>
            <select name="point" value={pointId} onChange={(e) => navigate(`/consumption?point=${encodeURIComponent(e.target.value)}`, { replace: true })}>
              {points.data?.items.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.code} — {p.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('consumption.kind')}>
            <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
              <option value="profile">{t('consumption.kinds.profile')}</option>
              <option value="metered">{t('consumption.kinds.metered')}</option>
            </select>
          </Field>
          {view === 'day' && (
            <Field label={t('consumption.day')}>
              <input name="day" type="date" value={anchor} onChange={(e) => e.target.value && setAnchor(e.target.value)} />
            </Field>
          )}
          {view === 'month' && (
            <Field label={t('consumption.month')}>
              <input name="month" type="month" value={anchor.slice(0, 7)} onChange={(e) => e.target.value && setAnchor(`${e.target.value}-01`)} />
            </Field>
          )}
          {view === 'year' && (
            <Field label={t('consumption.year')}>
              <input name="year" type="number" min={2000} max={2100} value={anchor.slice(0, 4)} onChange={(e) => /^\d{4}$/.test(e.target.value) && setAnchor(`${e.target.value}-01-01`)} />
            </Field>
          )}
        </div>
        <div className="row">
          <div className="tabs" role="group" aria-label={t('consumption.view')}>
            {(['day', 'month', 'year'] as const).map((v) => (
              <button key={v} type="button" aria-pressed={view === v} onClick={() => setView(v)}>
                {t(`consumption.views.${v}`)}
              </button>
            ))}
          </div>
          <label className="check">
            <input type="checkbox" name="compare" checked={compare} onChange={(e) => setCompare(e.target.checked)} />
            {t('consumption.compare')}
          </label>
          <button type="button" onClick={exportXlsx} disabled={!values}>
            {t('consumption.export')}
          </button>
        </div>
      </form>
      <ErrorNote error={now.error ?? then.error} />
      {now.isLoading && <p className="loading">{t('common.loading')}</p>}
      {values && !hasData && <p className="card">{t('consumption.noData')}</p>}
      {values && hasData && (
        <>
          <p className="big" data-testid="consumption-total">
            {t('consumption.totalOf', { period: periodName(view, anchor), value: number(totalNow, 1) })}
          </p>
          {previous && totalThen !== null && (
            <p>
              {t('consumption.before', { period: periodName(view, before), value: number(totalThen, 1) })}
              {change !== null && <> · {t(change >= 0 ? 'consumption.more' : 'consumption.less', { value: number(Math.abs(change), 1) })}</>}
            </p>
          )}
          <ConsumptionChart
            labels={labels}
            current={values}
            previous={previous}
            currentLabel={periodName(view, anchor)}
            previousLabel={periodName(view, before)}
            unit={t('consumption.kwh')}
            summary={t('consumption.chartSummary', { period: periodName(view, anchor), value: number(totalNow, 1) })}
          />
          <details className="card">
            <summary>{t('consumption.table')}</summary>
            <div className="table-wrap">
              <table data-testid="consumption-table">
                <caption className="sr-only">{t('consumption.table')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t(`consumption.bucket.${view}`)}</th>
                    <th scope="col" className="num">
                      {periodName(view, anchor)}, {t('consumption.kwh')}
                    </th>
                    {previous && (
                      <th scope="col" className="num">
                        {periodName(view, before)}, {t('consumption.kwh')}
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {labels.map((label, i) => (
                    <tr key={label}>
                      <th scope="row">{label}</th>
                      <td className="num" data-label={periodName(view, anchor)}>
                        {number(values[i])}
                      </td>
                      {previous && (
                        <td className="num" data-label={periodName(view, before)}>
                          {number(previous[i])}
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </section>
  );
}
