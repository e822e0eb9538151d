import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { dateTime } from '../../shared/format.js';
import { Link } from '../../shared/router.js';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';
import { api, call } from '../api/client.js';
import { StatusBadge } from '../thread/StatusBadge.js';

/** A link request beside what billing says about the contract; confirm (link it) or decline (with the reason). */
export function LinkRequestScreen({ params }: { params: Record<string, string> }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const id = params.id!;
  const view = useQuery({ queryKey: ['link-request', id], queryFn: () => call(api.GET('/api/back-office/link-requests/{id}', { params: { path: { id } } })) });
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const refresh = () => Promise.all([client.invalidateQueries({ queryKey: ['link-request', id] }), client.invalidateQueries({ queryKey: ['link-requests'] })]);
  const confirm = useMutation({ mutationFn: () => call(api.POST('/api/back-office/link-requests/{id}/confirm', { params: { path: { id } }, body: note.trim() ? { note } : {} })), onSuccess: refresh });
  const decline = useMutation({ mutationFn: () => call(api.POST('/api/back-office/link-requests/{id}/decline', { params: { path: { id } }, body: { reason } })), onSuccess: refresh });
  if (view.error) return <ErrorNote error={view.error} />;
  if (!view.data) return <p>{t('common.loading')}</p>;
  const { request: r, billing } = view.data;
  // found: true — the contract as billing has it; otherwise why not (not found, or billing away).
  const b = 'found' in billing && billing.found === true ? billing : null;
  const missing = b ? null : (billing as { code: string; message: string });
  return (
    <section>
      <p>
        <Link to="/link-requests">{t('linkRequest.back')}</Link>
      </p>
      <h1>
        {t('linkRequest.title')}: {r.contractNumber}
      </h1>
      <p className="row">
        <StatusBadge kind="link" status={r.status} />
        <span>{t('request.created', { at: dateTime(r.createdAt) })}</span>
      </p>
      <div className="columns">
        <section className="panel" aria-labelledby="lr-applicant">
          <h2 id="lr-applicant">{t('linkRequest.says')}</h2>
          <dl className="facts">
            <dt>{t('applicant.name')}</dt>
            <dd>{r.applicantName}</dd>
            <dt>{t('applicant.inn')}</dt>
            <dd>{r.taxId ?? '—'}</dd>
            <dt>{t('linkRequest.contract')}</dt>
            <dd>{r.contractNumber}</dd>
            {r.comment && (
              <>
                <dt>{t('application.comment')}</dt>
                <dd>{r.comment}</dd>
              </>
            )}
          </dl>
        </section>
        <section className="panel" aria-labelledby="lr-billing">
          <h2 id="lr-billing">{t('linkRequest.billing')}</h2>
          {b ? (
            <dl className="facts">
              <dt>{t('applicant.name')}</dt>
              <dd>{b.consumerName ?? '—'}</dd>
              <dt>{t('applicant.inn')}</dt>
              <dd>{b.taxId ?? '—'}</dd>
              <dt>{t('linkRequest.contractStatus')}</dt>
              <dd>{b.contractStatus ?? '—'}</dd>
            </dl>
          ) : (
            <p role="status" className="bad">
              {t(`errors.${missing!.code}`, { defaultValue: missing!.message })}
            </p>
          )}
        </section>
      </div>
      {r.status !== 'new' && (
        <p>
          {t('linkRequest.decided', { who: r.decidedBy ?? '—', at: dateTime(r.decidedAt) })} {r.decisionNote}
        </p>
      )}
      <ErrorNote error={confirm.error ?? decline.error} />
      {r.status === 'new' && (
        <div className="columns">
          <form className="panel" aria-labelledby="lr-confirm" onSubmit={(e) => (e.preventDefault(), confirm.mutate())}>
            <h2 id="lr-confirm">{t('linkRequest.confirm')}</h2>
            <Field label={t('linkRequest.note')}>
              <input value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
            </Field>
            <button type="submit" disabled={confirm.isPending || !b}>
              {t('linkRequest.confirmButton')}
            </button>
          </form>
          <form className="panel" aria-labelledby="lr-decline" onSubmit={(e) => (e.preventDefault(), decline.mutate())}>
            <h2 id="lr-decline">{t('linkRequest.decline')}</h2>
            <Field label={t('application.reason')}>
              <input required value={reason} maxLength={2000} onChange={(e) => setReason(e.target.value)} />
            </Field>
            <button type="submit" className="danger" disabled={decline.isPending || !reason.trim()}>
              {t('linkRequest.declineButton')}
            </button>
          </form>
        </div>
      )}
    </section>
  );
}
