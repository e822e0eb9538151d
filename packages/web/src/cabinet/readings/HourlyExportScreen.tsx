import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../shared/api/client.js';
import { Link } from '../../shared/router.js';
import { api, call, download } from '../api/client.js';
import { Field } from '../shell/Field.js';

type Format = 'csv' | 'xlsx' | '80020';
type Kind = 'auto' | 'metered' | 'profile';

const dayBefore = (days: number) => {
  const d = new Date();
  d.setDate(d.getDate() - days);
  return d.toLocaleDateString('sv-SE');
};

/**
 * Hourly data for a date range as a file: one metering point or every point of a contract, as CSV
 * (Russian Excel's `;`, UTF-8 with a BOM), Excel or 80020 XML (a day is the XML file itself, a range a ZIP
 * of daily files). Which data: the point's metered hours where it has an interval meter, billing's
 * calculated profile otherwise — or the one asked for. The server checks the range and says why not.
 */
export function HourlyExportScreen() {
  const { t } = useTranslation();
  const contracts = useQuery({ queryKey: ['contracts', 'all'], queryFn: () => call(api.GET('/api/contracts', { params: { query: { limit: 200, offset: 0 } } })) });
  const points = useQuery({ queryKey: ['points', 'all'], queryFn: () => call(api.GET('/api/metering-points', { params: { query: { limit: 200, offset: 0 } } })) });
  const [target, setTarget] = useState('');
  const first = contracts.data?.items[0] ? `contract:${contracts.data.items[0].id}` : '';
  const chosen = target || first;
  const [from, setFrom] = useState(dayBefore(7));
  const [to, setTo] = useState(dayBefore(1));
  const [format, setFormat] = useState<Format>('csv');
  const [kind, setKind] = useState<Kind>('auto');

  const exported = useMutation({
    mutationFn: () => {
      const [what, id] = chosen.split(':') as ['contract' | 'point', string];
      const query = new URLSearchParams({ from, to, format, ...(kind !== 'auto' ? { kind } : {}) });
      const url = what === 'contract' ? `/api/contracts/${encodeURIComponent(id)}/hourly/export?${query}` : `/api/metering-points/${encodeURIComponent(id)}/hourly/export?${query}`;
      return download(url, `hourly-${from}-${to}.${format === 'xlsx' ? 'xlsx' : format === 'csv' ? 'csv' : 'xml'}`);
    },
  });
  const problem = exported.error;

  return (
    <section>
      <p>
        <Link to="/readings">{t('common.back')}</Link>
      </p>
      <h1>{t('hourlyExport.title')}</h1>
      <p className="hint">{t('hourlyExport.intro')}</p>
      <form
        className="card"
        aria-label={t('hourlyExport.title')}
        onSubmit={(e) => {
          e.preventDefault();
          if (chosen) exported.mutate();
        }}
      >
        <div className="grid">
          <Field label={t('hourlyExport.what')}>
            <select name="target" value={chosen} onChange={(e) => setTarget(e.target.value)} required>
              {contracts.data?.items.map((c) => (
                <option key={c.id} value={`contract:${c.id}`}>
                  {t('hourlyExport.allPoints', { number: c.number })}
                </option>
              ))}
              {points.data?.items.map((p) => (
                <option key={p.id} value={`point:${p.id}`}>
                  {p.code} — {p.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('hourlyExport.from')}>
            <input name="from" type="date" required value={from} onChange={(e) => setFrom(e.target.value)} />
          </Field>
          <Field label={t('hourlyExport.to')}>
            <input name="to" type="date" required value={to} onChange={(e) => setTo(e.target.value)} />
          </Field>
          <Field label={t('hourlyExport.kind')}>
            <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
              {(['auto', 'metered', 'profile'] as const).map((k) => (
                <option key={k} value={k}>
                  {t(`hourlyExport.kinds.${k}`)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <fieldset>
          <legend>{t('hourlyExport.format')}</legend>
          {(['csv', 'xlsx', '80020'] as const).map((f) => (
            <label key={f} className="check">
              <input type="radio" name="format" value={f} checked={format === f} onChange={() => setFormat(f)} />
              {t(`hourlyExport.formats.${f}`)}
            </label>
          ))}
        </fieldset>
        <p className="hint">{t('hourlyExport.limits')}</p>
        <button type="submit" disabled={!chosen || !from || !to || exported.isPending}>
          {t('hourlyExport.submit')}
        </button>
        {problem && (
          <div role="alert" className="error">
            {problem instanceof ApiError ? t(`hourlyExport.errors.${problem.code}`, { defaultValue: t(`errors.${problem.code}`, { defaultValue: problem.message }) }) : String((problem as Error).message)}
          </div>
        )}
      </form>
    </section>
  );
}
