import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { today } from '../../shared/format.js';
import { Link, useRouter } from '../../shared/router.js';
import { ErrorNote, Notice } from '../../shared/ui/Feedback.js';
import { ApiError, api, call, type Ok } from '../api/client.js';
import { Field } from '../shell/Field.js';
import { date, number } from '../shell/format.js';
import { ReadingsHistory } from './ReadingsHistory.js';
import { check, type Problem } from './rules.js';
import { NoRight, useRight } from '../security/rights.js';

type Meter = Ok<'/api/meters', 'get'>['items'][number];

/**
 * Readings entry: a meter, the date, one value per tariff zone. Each value is checked as it is typed
 * with the front's own rules (rules.ts) — dial capacity, decimals, not below the previous accepted
 * reading unless a rollover, the contract's reading window, abnormal jumps as a warning the consumer
 * confirms — and the server checks again; its reasons land on the same fields. Below, the history with
 * billing's verdicts (accepted, or rejected with the reason), refreshed until billing has answered.
 */
export function ReadingsScreen() {
  const { t } = useTranslation();
  const { search, navigate } = useRouter();
  const client = useQueryClient();
  const meters = useQuery({ queryKey: ['meters', 'all'], queryFn: () => call(api.GET('/api/meters', { params: { query: { limit: 200, offset: 0 } } })) });
  const contracts = useQuery({ queryKey: ['contracts'], queryFn: () => call(api.GET('/api/contracts', { params: { query: { limit: 100, offset: 0 } } })) });
  const integral = useMemo(() => meters.data?.items.filter((m) => m.kind === 'integral') ?? [], [meters.data]);
  const meterId = search.get('meter') ?? integral[0]?.id ?? '';
  const meter = integral.find((m) => m.id === meterId);
  const contract = contracts.data?.items.find((c) => c.id === meter?.contractId);
  // A representative the owner gave no "submit readings" sees the meter and its history, not the form.
  const canSubmit = useRight(meter?.consumerRef, 'submit_readings');

  return (
    <section>
      <h1>{t('nav.readings')}</h1>
      <ErrorNote error={meters.error ?? contracts.error} />
      {meters.isSuccess && integral.length === 0 && (
        <p>
          {t('readings.noMeters')} <Link to="/contracts/link">{t('home.linkContract')}</Link>
        </p>
      )}
      {integral.length > 0 && (
        <div className="inline">
          <Field label={t('readings.meter')}>
            <select name="meter" value={meterId} onChange={(e) => navigate(`/readings?meter=${encodeURIComponent(e.target.value)}`, { replace: true })}>
              {integral.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.serial} · {m.model} ({m.zones.join(', ')})
                </option>
              ))}
            </select>
          </Field>
          <Link to="/readings/upload">{t('nav.upload')}</Link>
        </div>
      )}
      {meter && canSubmit === false && <NoRight right="submit_readings" />}
      {meter && contract && canSubmit && <ReadingForm key={meter.id} meter={meter} window={contract.readingWindow} onSent={() => void client.invalidateQueries({ queryKey: ['readings'] })} />}
      {meter && <ReadingsHistory meterId={meter.id} />}
    </section>
  );
}

function ReadingForm({ meter, window, onSent }: { meter: Meter; window: { fromDay: number; toDay: number }; onSent: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [day, setDay] = useState(today());
  const [values, setValues] = useState<Record<string, string>>({});
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [confirm, setConfirm] = useState(false);
  const [serverProblems, setServerProblems] = useState<Record<string, string[]>>({});
  useEffect(() => setServerProblems({}), [values, day]);

  const previous = (zone: string) => meter.lastReadings.find((r) => r.zone === zone);
  const verdicts = meter.zones.map((zone) => {
    const value = (values[zone] ?? '').trim().replace(',', '.');
    const prev = previous(zone);
    return { zone, value, verdict: value ? check(meter, { zone, date: day, value }, { today: today(), window, previous: prev ? { date: prev.date, value: prev.value } : undefined }) : null };
  });
  const filled = verdicts.filter((v) => v.value);
  const dateProblems = filled[0]?.verdict?.errors.filter((e) => e.field === 'date') ?? [];
  const blocking = filled.some((v) => v.verdict!.errors.length > 0);
  const warned = filled.some((v) => v.verdict!.warnings.some((w) => w.code === 'abnormal_jump'));

  const send = useMutation({
    mutationFn: () => call(api.POST('/api/readings', { body: { readings: filled.map((v) => ({ meterId: meter.id, zone: v.zone, date: day, value: v.value })), ...(confirm ? { confirmJump: true } : {}) } })),
    onSuccess: () => {
      setValues({});
      setTouched({});
      setConfirm(false);
      onSent();
      void client.invalidateQueries({ queryKey: ['summary'] });
    },
    onError: (error) => {
      // The server's reasons, on the zone they belong to: readings/<i>/<field>.
      if (!(error instanceof ApiError)) return;
      const byZone: Record<string, string[]> = {};
      for (const e of error.errors) {
        const m = /^readings\/(\d+)(?:\/(\w+))?$/.exec(e.field);
        const zone = m ? filled[Number(m[1])]?.zone : undefined;
        if (zone && e.code) (byZone[zone] ??= []).push(e.code);
      }
      setServerProblems(byZone);
      if (error.code === 'confirmation_required') setConfirm(false);
    },
  });
  const say = (p: Problem) => t(`readings.rule.${p.code}`, { ...p.values, date: typeof p.values.date === 'string' ? date(p.values.date) : p.values.date });

  return (
    <form
      className="card"
      aria-labelledby="reading-form-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setTouched(Object.fromEntries(meter.zones.map((z) => [z, true])));
        if (filled.length && !blocking && (!warned || confirm)) send.mutate();
      }}
    >
      <h2 id="reading-form-title">{t('readings.enter', { serial: meter.serial })}</h2>
      <p className="hint">
        {t('readings.dial', { digits: meter.digits, fraction: meter.fractionDigits })} · {t('contracts.window', { from: window.fromDay, to: window.toDay })}
      </p>
      <div className="grid">
        <Field label={t('readings.date')} error={dateProblems.length ? dateProblems.map(say).join('; ') : undefined}>
          <input name="date" type="date" required value={day} max={today()} onChange={(e) => setDay(e.target.value)} />
        </Field>
        {verdicts.map(({ zone, value, verdict }) => {
          const prev = previous(zone);
          const errors = verdict?.errors.filter((e) => e.field !== 'date') ?? [];
          const server = serverProblems[zone] ?? [];
          const show = touched[zone] || value.length >= String(prev?.value ?? '').split('.')[0]!.length;
          const errorText = [...(show ? errors.map(say) : []), ...server.map((code) => t(`readings.rule.${code}`, { defaultValue: t(`errors.${code}`, { defaultValue: code }) }))].join('; ');
          const warning = verdict?.warnings.map(say).join('; ');
          return (
            <Field
              key={zone}
              label={t('readings.zoneValue', { zone })}
              hint={
                <>
                  {prev ? t('readings.previous', { value: number(prev.value, 4), date: date(prev.date) }) : t('readings.noPrevious')}
                  {verdict?.consumption && !errors.length && <> · {t('readings.consumption', { value: number(Number(verdict.consumption) * (Number(meter.transformationRatio) || 1), 3) })}</>}
                </>
              }
              error={errorText || undefined}
              warning={warning || undefined}
            >
              <input
                name={`value-${zone}`}
                inputMode="decimal"
                autoComplete="off"
                value={values[zone] ?? ''}
                onChange={(e) => setValues({ ...values, [zone]: e.target.value })}
                onBlur={() => setTouched({ ...touched, [zone]: true })}
              />
            </Field>
          );
        })}
      </div>
      {warned && (
        <label className="check">
          <input type="checkbox" name="confirmJump" checked={confirm} onChange={(e) => setConfirm(e.target.checked)} />
          {t('readings.confirmJump')}
        </label>
      )}
      {send.error instanceof ApiError && send.error.code === 'confirmation_required' ? <p className="field-warning" role="alert">{t('readings.confirmFirst')}</p> : <ErrorNote error={send.error} />}
      {send.isSuccess && <Notice>{t('readings.sent', { count: send.data.readings.length })}</Notice>}
      <button type="submit" disabled={send.isPending || filled.length === 0 || blocking || (warned && !confirm)}>
        {t('readings.submit')}
      </button>
    </form>
  );
}
