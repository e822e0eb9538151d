import './areas.css';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useRouter } from '../../shared/router.js';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';
import { api, call, type Body } from '../api/client.js';
import { AttachmentPicker } from './Attachments.js';
import type { Attachment } from './files.js';
import { todayIso } from './format.js';
import { requestKinds, type RequestKind } from './kinds.js';

type Form = Body<'/api/requests', 'post'>;
type Values = Record<string, string>;

/**
 * A new request: the kind first, then that kind's typed form (cabinet-contracts requests.ts) — the
 * contract, metering point and meter chosen from the consumer's own, a meter replacement with the
 * old meter's final and the new meter's initial readings per tariff zone — then subject, text and files.
 */
export function NewRequestScreen() {
  const { t } = useTranslation();
  const { navigate, search } = useRouter();
  const client = useQueryClient();
  const initial = search.get('kind');
  const [kind, setKind] = useState<RequestKind>(requestKinds.includes(initial as RequestKind) ? (initial as RequestKind) : 'free_form');
  const [values, setValues] = useState<Values>({});
  const [subject, setSubject] = useState('');
  const [text, setText] = useState('');
  const [files, setFiles] = useState<Attachment[]>([]);
  const set = (name: string) => (value: string) => setValues((v) => ({ ...v, [name]: value }));

  const contracts = useQuery({ queryKey: ['contracts', 'all'], queryFn: () => call(api.GET('/api/contracts', { params: { query: { limit: 200, offset: 0 } } })) });
  const points = useQuery({
    queryKey: ['metering-points', values.contractId ?? 'all'],
    queryFn: () => call(api.GET('/api/metering-points', { params: { query: { limit: 200, offset: 0, ...(values.contractId ? { contractId: values.contractId } : {}) } } })),
  });
  const meters = useQuery({
    queryKey: ['meters', values.meteringPointId],
    enabled: Boolean(values.meteringPointId),
    queryFn: () => call(api.GET('/api/meters', { params: { query: { limit: 50, offset: 0, pointId: values.meteringPointId! } } })),
  });
  const oldMeter = meters.data?.items.find((m) => m.id === values.meterId);
  const zones = oldMeter?.zones ?? [];

  const create = useMutation({
    mutationFn: () => {
      const body: Form = { kind, subject: subject.trim() || t(`requests.kinds.${kind}`), text: text.trim(), fields: fieldsOf(kind, values, zones), ...(files.length ? { attachmentIds: files.map((f) => f.id) } : {}) };
      return call(api.POST('/api/requests', { body }));
    },
    onSuccess: (created) => {
      void client.invalidateQueries({ queryKey: ['requests'] });
      navigate(`/requests/${created.id}`);
    },
  });

  const input = (name: string, label: string, props: { type?: string; required?: boolean; hint?: string; inputMode?: 'numeric' | 'decimal'; pattern?: string } = {}) => (
    <Field label={label + (props.required ? ' *' : '')} hint={props.hint}>
      <input name={name} type={props.type ?? 'text'} required={props.required} inputMode={props.inputMode} pattern={props.pattern} value={values[name] ?? ''} onChange={(e) => set(name)(e.target.value)} />
    </Field>
  );
  const select = (name: string, label: string, options: { value: string; label: string }[], required = true, onPick?: (v: string) => void): ReactNode => (
    <Field label={label + (required ? ' *' : '')}>
      <select name={name} required={required} value={values[name] ?? ''} onChange={(e) => (onPick ?? set(name))(e.target.value)}>
        <option value="">{t('requests.choose')}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>{o.label}</option>
        ))}
      </select>
    </Field>
  );
  const contractOptions = (contracts.data?.items ?? []).filter((c) => kind !== 'terminate_contract' || c.status === 'active').map((c) => ({ value: c.id, label: c.number }));
  const pointOptions = (points.data?.items ?? []).map((p) => ({ value: p.id, label: `${p.code} · ${p.name}` }));
  const meterOptions = (meters.data?.items ?? []).map((m) => ({ value: m.id, label: `${m.model} № ${m.serial}` }));

  return (
    <section>
      <h1>{t('requests.newTitle')}</h1>
      <form
        className="card form"
        aria-label={t('requests.newTitle')}
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Field label={t('requests.kind')}>
          <select name="kind" value={kind} onChange={(e) => { setKind(e.target.value as RequestKind); setValues({}); }}>
            {requestKinds.map((k) => (
              <option key={k} value={k}>{t(`requests.kinds.${k}`)}</option>
            ))}
          </select>
        </Field>
        <p className="hint">{t(`requests.kindHint.${kind}`)}</p>

        {kind === 'link_contract' && (
          <div className="grid">
            {input('contractNumber', t('requests.field.contractNumber'), { required: true })}
            {input('applicantName', t('requests.field.applicantName'), { required: true })}
            {input('taxId', t('requests.field.taxId'), { hint: t('requests.taxIdHint'), inputMode: 'numeric', pattern: '[0-9]{10}|[0-9]{12}' })}
          </div>
        )}
        {kind === 'correct_details' && (
          <div className="grid">
            {select('contractId', t('requests.field.contractId'), contractOptions, true, (v) => setValues((x) => ({ ...x, contractId: v, meteringPointId: '' })))}
            {select('meteringPointId', t('requests.field.meteringPointId'), pointOptions, false)}
            {input('detail', t('requests.field.detail'), { required: true, hint: t('requests.detailHint') })}
            {input('currentValue', t('requests.field.currentValue'))}
            {input('correctValue', t('requests.field.correctValue'), { required: true })}
          </div>
        )}
        {kind === 'terminate_contract' && (
          <div className="grid">
            {select('contractId', t('requests.field.contractId'), contractOptions)}
            {input('terminateOn', t('requests.field.terminateOn'), { type: 'date', required: true })}
            {input('reason', t('requests.field.reason'), { required: true })}
          </div>
        )}
        {kind === 'meter_replacement' && (
          <>
            <div className="grid">
              {select('meteringPointId', t('requests.field.meteringPointId'), pointOptions, true, (v) => setValues((x) => ({ ...x, meteringPointId: v, meterId: '' })))}
              {input('replacedOn', t('requests.field.replacedOn'), { type: 'date', required: true })}
            </div>
            <fieldset>
              <legend>{t('requests.oldMeter')}</legend>
              <div className="grid">
                {select('meterId', t('requests.field.oldMeter_meterId'), meterOptions)}
                {zones.map((z) => (
                  <span key={z}>{input(`final.${z}`, t('requests.finalReading', { zone: z }), { required: true, inputMode: 'decimal', pattern: '[0-9]{1,12}([.,][0-9]{1,4})?' })}</span>
                ))}
              </div>
              {oldMeter && <p className="hint">{t('requests.lastReadings', { readings: oldMeter.lastReadings.map((r) => `${r.zone}: ${r.value} (${r.date})`).join('; ') || '—' })}</p>}
            </fieldset>
            <fieldset>
              <legend>{t('requests.newMeter')}</legend>
              <div className="grid">
                {input('serial', t('requests.field.newMeter_serial'), { required: true })}
                {input('model', t('requests.field.newMeter_model'), { required: true })}
                {input('digits', t('requests.field.newMeter_digits'), { required: true, type: 'number', inputMode: 'numeric' })}
                {input('transformationRatio', t('requests.field.newMeter_transformationRatio'), { inputMode: 'decimal' })}
                {input('verifiedOn', t('requests.field.newMeter_verifiedOn'), { type: 'date' })}
                {zones.map((z) => (
                  <span key={z}>{input(`initial.${z}`, t('requests.initialReading', { zone: z }), { required: true, inputMode: 'decimal', pattern: '[0-9]{1,12}([.,][0-9]{1,4})?' })}</span>
                ))}
              </div>
              {!oldMeter && <p className="hint">{t('requests.chooseMeterFirst')}</p>}
            </fieldset>
          </>
        )}

        <Field label={t('requests.subject')} hint={t('requests.subjectHint')}>
          <input name="subject" maxLength={300} value={subject} placeholder={t(`requests.kinds.${kind}`)} onChange={(e) => setSubject(e.target.value)} />
        </Field>
        <Field label={t('requests.text') + (kind === 'free_form' || kind === 'support' ? ' *' : '')}>
          <textarea name="text" rows={5} maxLength={10000} required={kind === 'free_form' || kind === 'support'} value={text} onChange={(e) => setText(e.target.value)} />
        </Field>
        {kind !== 'link_contract' && <AttachmentPicker files={files} onChange={setFiles} />}
        <ErrorNote error={create.error} />
        <button type="submit" disabled={create.isPending}>
          {t('requests.submit')}
        </button>
      </form>
    </section>
  );
}

const decimal = (v: string | undefined) => (v ?? '').trim().replace(',', '.');
const optional = (name: string, v: string | undefined) => (v && v.trim() ? { [name]: v.trim() } : {});

/** The form's values as the kind's typed `fields`. */
function fieldsOf(kind: RequestKind, v: Values, zones: string[]): Record<string, unknown> {
  switch (kind) {
    case 'link_contract':
      return { contractNumber: (v.contractNumber ?? '').trim(), applicantName: (v.applicantName ?? '').trim(), ...optional('taxId', v.taxId) };
    case 'correct_details':
      return { contractId: v.contractId ?? '', ...optional('meteringPointId', v.meteringPointId), detail: (v.detail ?? '').trim(), ...optional('currentValue', v.currentValue), correctValue: (v.correctValue ?? '').trim() };
    case 'terminate_contract':
      return { contractId: v.contractId ?? '', terminateOn: v.terminateOn ?? '', reason: (v.reason ?? '').trim() };
    case 'meter_replacement':
      return {
        meteringPointId: v.meteringPointId ?? '',
        replacedOn: v.replacedOn || todayIso(),
        oldMeter: { meterId: v.meterId ?? '', finalReadings: zones.map((zone) => ({ zone, value: decimal(v[`final.${zone}`]) })) },
        newMeter: {
          serial: (v.serial ?? '').trim(),
          model: (v.model ?? '').trim(),
          digits: Number(v.digits),
          ...optional('transformationRatio', decimal(v.transformationRatio)),
          ...optional('verifiedOn', v.verifiedOn),
          initialReadings: zones.map((zone) => ({ zone, value: decimal(v[`initial.${zone}`]) })),
        },
      };
    default:
      return {};
  }
}
