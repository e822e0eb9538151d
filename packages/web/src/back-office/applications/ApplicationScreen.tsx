import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { dateTime } from '../../shared/format.js';
import { Link } from '../../shared/router.js';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';
import { api, call, callAs, download } from '../api/client.js';
import type { ApplicationDetails, DocumentView } from '../api/views.js';
import { SignatureReport } from '../signatures/SignatureReport.js';
import { Attachments } from '../thread/Attachments.js';
import { MessageForm } from '../thread/MessageForm.js';
import { StatusBadge } from '../thread/StatusBadge.js';
import { Thread } from '../thread/Thread.js';
import { IssueDocumentForm } from './IssueDocumentForm.js';

const OPEN = ['submitted', 'in_review', 'needs_info', 'contract_issued', 'signed'];

/** An application: applicant, object, power, files, thread; take it, ask, answer, issue documents, reject; signatures. */
export function ApplicationScreen({ params }: { params: Record<string, string> }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const id = params.id!;
  const key = ['application', id];
  const view = useQuery({ queryKey: key, queryFn: () => callAs<ApplicationDetails>(api.GET('/api/back-office/applications/{id}', { params: { path: { id } } })), refetchInterval: 5_000 });
  const refresh = () => Promise.all([client.invalidateQueries({ queryKey: key }), client.invalidateQueries({ queryKey: ['applications'] })]);
  const path = { params: { path: { id } } };
  const take = useMutation({ mutationFn: () => call(api.POST('/api/back-office/applications/{id}/take', { ...path, body: {} })), onSuccess: refresh });
  const [reason, setReason] = useState('');
  const reject = useMutation({ mutationFn: () => call(api.POST('/api/back-office/applications/{id}/reject', { ...path, body: { reason } })), onSuccess: () => (setReason(''), refresh()) });

  if (view.error) return <ErrorNote error={view.error} />;
  const a = view.data;
  if (!a) return <p>{t('common.loading')}</p>;
  const open = OPEN.includes(a.status);
  return (
    <section>
      <p>
        <Link to="/applications">{t('applications.back')}</Link>
      </p>
      <h1>
        {t('application.title')}: {a.applicant.name}
      </h1>
      <p className="row">
        <StatusBadge kind="application" status={a.status} />
        <span>{t('application.assignee', { who: a.assignedTo ?? '—' })}</span>
        <span>{t('application.submitted', { at: dateTime(a.submittedAt) })}</span>
      </p>
      {a.statusNote && <p className="hint">{t('application.note', { note: a.statusNote })}</p>}
      <ErrorNote error={take.error ?? reject.error} />
      {(a.status === 'submitted' || a.status === 'needs_info') && (
        <p>
          <button type="button" onClick={() => take.mutate()} disabled={take.isPending}>
            {t('queue.take')}
          </button>
        </p>
      )}
      <div className="columns">
        <section className="panel" aria-labelledby="applicant-title">
          <h2 id="applicant-title">{t('application.applicant')}</h2>
          <dl className="facts">
            <dt>{t('applicant.kind')}</dt>
            <dd>{t(`applicant.kinds.${a.applicant.kind}`)}</dd>
            <dt>{t('applicant.name')}</dt>
            <dd>{a.applicant.name}</dd>
            {(['inn', 'ogrn', 'snils', 'email', 'phone'] as const).map((f) =>
              a.applicant[f] ? (
                <Fact key={f} label={t(`applicant.${f}`)}>
                  {a.applicant[f]}
                </Fact>
              ) : null,
            )}
          </dl>
        </section>
        <section className="panel" aria-labelledby="object-title">
          <h2 id="object-title">{t('application.object')}</h2>
          <dl className="facts">
            <dt>{t('applications.object')}</dt>
            <dd>{a.objectAddress}</dd>
            <dt>{t('applications.power')}</dt>
            <dd>{t('applications.kw', { value: a.requestedPowerKw })}</dd>
            {a.comment && (
              <>
                <dt>{t('application.comment')}</dt>
                <dd>{a.comment}</dd>
              </>
            )}
          </dl>
          <h3>{t('files.title')}</h3>
          {a.attachments.length ? <Attachments files={a.attachments} /> : <p className="hint">{t('files.none')}</p>}
        </section>
      </div>
      <Thread messages={a.messages} />
      {open && (
        <MessageForm
          title={t('application.write')}
          onSent={() => void refresh()}
          actions={[
            ...(a.status !== 'signed' && a.status !== 'contract_issued' ? [{ label: t('application.requestInfo'), send: (body: { text: string; attachments: Array<{ fileName: string; contentBase64: string }> }) => call(api.POST('/api/back-office/applications/{id}/request-info', { ...path, body })) }] : []),
            { label: t('application.send'), send: (body) => call(api.POST('/api/back-office/applications/{id}/messages', { ...path, body })) },
          ]}
        />
      )}
      <section className="panel" aria-labelledby="documents-title">
        <h2 id="documents-title">{t('documents.title')}</h2>
        {a.documents.length === 0 && <p className="hint">{t('documents.none')}</p>}
        {a.documents.map((d) => (
          <DocumentItem key={d.id} document={d} />
        ))}
      </section>
      {open && <IssueDocumentForm applicationId={a.id} contractSigned={a.status === 'signed'} onIssued={() => void refresh()} />}
      {open && a.status !== 'signed' && (
        <form
          className="panel inline"
          aria-labelledby="reject-title"
          onSubmit={(e) => {
            e.preventDefault();
            reject.mutate();
          }}
        >
          <h2 id="reject-title">{t('application.reject')}</h2>
          <Field label={t('application.reason')}>
            <input name="reason" required maxLength={2000} value={reason} onChange={(e) => setReason(e.target.value)} />
          </Field>
          <button type="submit" className="danger" disabled={reject.isPending || !reason.trim()}>
            {t('application.rejectButton')}
          </button>
        </form>
      )}
    </section>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

function DocumentItem({ document: d }: { document: DocumentView }) {
  const { t } = useTranslation();
  const pdf = useMutation({ mutationFn: () => download(`/api/back-office/documents/${d.id}/pdf`, d.fileName) });
  return (
    <article className="document" aria-label={`${d.title} ${d.number}`} data-testid={`document-${d.number}`}>
      <h3>
        {d.title} № {d.number}
      </h3>
      <p className="row">
        <StatusBadge kind="document" status={d.status} />
        <span>{t('documents.issuedBy', { who: d.issuedBy, at: dateTime(d.issuedAt) })}</span>
        <span>{d.allowSimpleSignature ? t('documents.simpleAllowed') : t('documents.cmsOnly')}</span>
        <button type="button" className="link" onClick={() => pdf.mutate()}>
          {t('documents.download')}
        </button>
      </p>
      <p className="hint">
        SHA-256: <code className="wrap">{d.sha256}</code>
      </p>
      <ErrorNote error={pdf.error} />
      {d.signatures.length === 0 ? <p className="hint">{t('documents.notSigned')}</p> : d.signatures.map((s) => <SignatureReport key={s.id} signature={s} />)}
    </article>
  );
}
