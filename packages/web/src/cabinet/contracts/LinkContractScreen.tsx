import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from '../../shared/router.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Notice } from '../../shared/ui/Feedback.js';
import { api, call } from '../api/client.js';
import { Field } from '../shell/Field.js';
import { dateTime } from '../../shared/format.js';

type Mode = 'secret' | 'request';

/**
 * Link a contract to the cabinet: by its number and the secret code printed on its invoices (billing
 * checks it in seconds), or, without the code, by a request the supplier's staff confirm. The link
 * requests and their outcome are listed below; a pending one is polled until decided.
 */
export function LinkContractScreen() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [mode, setMode] = useState<Mode>('secret');
  const [contractNumber, setNumber] = useState('');
  const [secret, setSecret] = useState('');
  const [applicantName, setApplicant] = useState('');
  const [taxId, setTaxId] = useState('');
  const [comment, setComment] = useState('');
  const links = useQuery({
    queryKey: ['links'],
    queryFn: () => call(api.GET('/api/links', { params: { query: { limit: 20, offset: 0 } } })),
    refetchInterval: (q) => (q.state.data?.items.some((l) => l.status === 'pending' && l.via === 'secret') ? 1500 : false),
  });
  const anyAccepted = links.data?.items.some((l) => l.status === 'accepted');
  const send = useMutation({
    mutationFn: () =>
      mode === 'secret'
        ? call(api.POST('/api/links/by-secret', { body: { contractNumber: contractNumber.trim(), secret: secret.trim() } }))
        : call(api.POST('/api/links/by-request', { body: { contractNumber: contractNumber.trim(), applicantName: applicantName.trim(), ...(taxId.trim() ? { taxId: taxId.trim() } : {}), ...(comment.trim() ? { comment: comment.trim() } : {}) } })),
    onSuccess: async () => {
      setSecret('');
      await client.invalidateQueries({ queryKey: ['links'] });
    },
  });
  const taxIdBad = taxId.trim() !== '' && !/^(\d{10}|\d{12})$/.test(taxId.trim());

  return (
    <section>
      <h1>{t('links.title')}</h1>
      <div className="tabs" role="group" aria-label={t('links.how')}>
        {(['secret', 'request'] as const).map((m) => (
          <button key={m} type="button" aria-pressed={mode === m} onClick={() => setMode(m)}>
            {t(`links.mode.${m}`)}
          </button>
        ))}
      </div>
      <form
        className="card"
        aria-label={t(`links.mode.${mode}`)}
        onSubmit={(e) => {
          e.preventDefault();
          if (!taxIdBad) send.mutate();
        }}
      >
        <p className="hint">{t(`links.intro.${mode}`)}</p>
        <div className="grid">
          <Field label={t('links.contractNumber')} hint={t('links.contractNumberHint')}>
            <input name="contractNumber" required value={contractNumber} onChange={(e) => setNumber(e.target.value)} />
          </Field>
          {mode === 'secret' ? (
            <Field label={t('links.secret')} hint={t('links.secretHint')}>
              <input name="secret" required autoComplete="off" value={secret} onChange={(e) => setSecret(e.target.value)} />
            </Field>
          ) : (
            <>
              <Field label={t('links.applicant')}>
                <input name="applicantName" required autoComplete="organization" value={applicantName} onChange={(e) => setApplicant(e.target.value)} />
              </Field>
              <Field label={t('links.taxId')} hint={t('links.taxIdHint')} error={taxIdBad ? t('links.taxIdBad') : undefined}>
                <input name="taxId" inputMode="numeric" value={taxId} onChange={(e) => setTaxId(e.target.value)} />
              </Field>
            </>
          )}
        </div>
        {mode === 'request' && (
          <Field label={t('links.comment')}>
            <textarea name="comment" rows={3} value={comment} onChange={(e) => setComment(e.target.value)} />
          </Field>
        )}
        <ErrorNote error={send.error} />
        {send.isSuccess && <Notice>{t(`links.sent.${mode}`)}</Notice>}
        <button type="submit" disabled={send.isPending}>
          {t('links.submit')}
        </button>
      </form>
      {anyAccepted && (
        <p>
          <Link to="/contracts">{t('links.toContracts')}</Link>
        </p>
      )}
      <h2>{t('links.history')}</h2>
      <ErrorNote error={links.error} />
      <DataTable
        caption={t('links.history')}
        rows={links.data?.items}
        rowKey={(l) => l.id}
        columns={[
          { key: 'number', title: t('links.contractNumber'), render: (l) => l.contractNumber },
          { key: 'via', title: t('links.via'), render: (l) => t(`links.mode.${l.via}`) },
          { key: 'at', title: t('links.at'), render: (l) => dateTime(l.createdAt) },
          {
            key: 'status',
            title: t('common.status'),
            render: (l) => (
              <span data-testid={`link-${l.contractNumber}`}>
                <span className={`status status-${l.status}`}>{t(`links.status.${l.status}`)}</span>
                {l.rejection && <span> — {t(`links.rejection.${l.rejection.code}`, { defaultValue: l.rejection.message })}</span>}
              </span>
            ),
          },
        ]}
      />
    </section>
  );
}
