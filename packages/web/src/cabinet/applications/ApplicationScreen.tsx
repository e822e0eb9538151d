import '../requests/areas.css';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from '../../shared/router.js';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { api, call } from '../api/client.js';
import type { ScreenProps } from '../screens.js';
import { FileList } from '../requests/Attachments.js';
import { dateTimeOf } from '../requests/format.js';
import { Thread } from '../requests/Thread.js';
import { applicationPath, type ApplicationStatus } from './statuses.js';

const FINAL: ApplicationStatus[] = ['signed', 'rejected', 'withdrawn'];

/**
 * One application: its way from draft to signed contract, the form as sent with its files, the thread
 * with the supplier (a question of theirs puts it to "needs information" until answered), and the
 * documents issued for signature. Asks again every few seconds while the supplier may act.
 */
export function ApplicationScreen({ params }: ScreenProps) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const applicationId = params.applicationId!;
  const key = ['application', applicationId];
  const application = useQuery({
    queryKey: key,
    queryFn: () => call(api.GET('/api/applications/{applicationId}', { params: { path: { applicationId } } })),
    refetchInterval: (q) => (q.state.data && FINAL.includes(q.state.data.status) ? false : 3000),
  });
  const refresh = (data: unknown) => {
    client.setQueryData(key, data);
    void client.invalidateQueries({ queryKey: ['applications'] });
  };
  const path = { params: { path: { applicationId } } };
  const submit = useMutation({ mutationFn: () => call(api.POST('/api/applications/{applicationId}/submit', path)), onSuccess: refresh });
  const withdraw = useMutation({ mutationFn: () => call(api.POST('/api/applications/{applicationId}/withdraw', path)), onSuccess: refresh });
  const send = useMutation({
    mutationFn: (m: { text: string; attachmentIds: string[] }) => call(api.POST('/api/applications/{applicationId}/messages', { ...path, body: { text: m.text, ...(m.attachmentIds.length ? { attachmentIds: m.attachmentIds } : {}) } })),
    onSuccess: refresh,
  });
  const a = application.data;
  const step = a ? applicationPath.indexOf(a.status === 'needs_info' ? 'in_review' : a.status) : -1;
  return (
    <section>
      <p>
        <Link to="/applications">{t('applications.back')}</Link>
      </p>
      <ErrorNote error={application.error} />
      {a && (
        <>
          <h1>{t('applications.oneTitle', { address: a.objectAddress })}</h1>
          <p>
            {t('common.status')}:{' '}
            <strong className={`status status-${a.status}`} data-testid="application-status">
              {t(`applications.status.${a.status}`)}
            </strong>
            {a.statusNote && <span> — {a.statusNote}</span>}
          </p>
          {step >= 0 && (
            <ol className="steps" aria-label={t('applications.steps')}>
              {applicationPath.map((s, i) => (
                <li key={s} className={i < step ? 'done' : i === step ? 'current' : undefined} aria-current={i === step ? 'step' : undefined}>
                  {t(`applications.status.${s}`)}
                </li>
              ))}
            </ol>
          )}
          {a.status === 'needs_info' && (
            <p role="status" className="notice warn">
              {t('applications.needsInfo')}
            </p>
          )}
          <dl className="facts card">
            <dt>{t('applications.applicant')}</dt>
            <dd>
              {a.applicant.name} ({t(`applications.${a.applicant.kind}`)})
            </dd>
            {a.applicant.inn && (
              <>
                <dt>{t('applications.inn')}</dt>
                <dd>{a.applicant.inn}</dd>
              </>
            )}
            {a.applicant.ogrn && (
              <>
                <dt>{t('applications.ogrn')}</dt>
                <dd>{a.applicant.ogrn}</dd>
              </>
            )}
            {a.applicant.snils && (
              <>
                <dt>{t('applications.snils')}</dt>
                <dd>{a.applicant.snils}</dd>
              </>
            )}
            <dt>{t('applications.objectAddress')}</dt>
            <dd>{a.objectAddress}</dd>
            <dt>{t('applications.power')}</dt>
            <dd>
              {a.requestedPowerKw} {t('applications.kw')}
            </dd>
            {a.comment && (
              <>
                <dt>{t('applications.comment')}</dt>
                <dd className="message-text">{a.comment}</dd>
              </>
            )}
            <dt>{t('applications.createdAt')}</dt>
            <dd>{dateTimeOf(a.createdAt)}</dd>
            {a.submittedAt && (
              <>
                <dt>{t('applications.submittedAt')}</dt>
                <dd>{dateTimeOf(a.submittedAt)}</dd>
              </>
            )}
            {a.attachments.length > 0 && (
              <>
                <dt>{t('applications.documents')}</dt>
                <dd>
                  <FileList files={a.attachments} />
                </dd>
              </>
            )}
          </dl>
          <div className="row">
            {a.status === 'draft' && (
              <button type="button" className="button primary" onClick={() => submit.mutate()} disabled={submit.isPending}>
                {t('applications.submit')}
              </button>
            )}
            {!FINAL.includes(a.status) && (
              <button type="button" onClick={() => window.confirm(t('applications.withdrawConfirm')) && withdraw.mutate()} disabled={withdraw.isPending}>
                {t('applications.withdraw')}
              </button>
            )}
          </div>
          <ErrorNote error={submit.error ?? withdraw.error} />

          {a.documents.length > 0 && (
            <section aria-labelledby="docs-title">
              <h2 id="docs-title">{t('applications.issued')}</h2>
              <ul className="plain">
                {a.documents.map((d) => (
                  <li key={d.id} className="row">
                    <Link to={`/documents/${d.id}`}>{d.title}</Link>
                    <span className={`status status-${d.status === 'signed' ? 'accepted' : 'pending'}`}>{t(`documents.status.${d.status}`)}</span>
                    <span className="hint">{dateTimeOf(d.issuedAt)}</span>
                  </li>
                ))}
              </ul>
            </section>
          )}

          <Thread
            messages={a.messages}
            canWrite={!['draft', 'rejected', 'withdrawn'].includes(a.status)}
            onSend={(text, attachmentIds) => send.mutateAsync({ text, attachmentIds })}
            sending={send.isPending}
            error={send.error}
          />
        </>
      )}
    </section>
  );
}
