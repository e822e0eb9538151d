import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { dateTime } from '../../shared/format.js';
import { Link } from '../../shared/router.js';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { api, call, callAs } from '../api/client.js';
import type { RequestDetails } from '../api/views.js';
import { OpenCabinet } from '../support/OpenCabinet.js';
import { Attachments } from '../thread/Attachments.js';
import { MessageForm, type OutgoingMessage } from '../thread/MessageForm.js';
import { StatusBadge } from '../thread/StatusBadge.js';
import { Thread } from '../thread/Thread.js';
import { RequestFields } from './RequestFields.js';

/** A request: its typed form, files and thread; take it, ask, answer with files, close. */
export function RequestScreen({ params }: { params: Record<string, string> }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const id = params.id!;
  const key = ['request', id];
  const view = useQuery({ queryKey: key, queryFn: () => callAs<RequestDetails>(api.GET('/api/back-office/requests/{id}', { params: { path: { id } } })), refetchInterval: 5_000 });
  const refresh = () => Promise.all([client.invalidateQueries({ queryKey: key }), client.invalidateQueries({ queryKey: ['requests'] })]);
  const path = { params: { path: { id } } };
  const take = useMutation({ mutationFn: () => call(api.POST('/api/back-office/requests/{id}/take', { ...path, body: {} })), onSuccess: refresh });
  const close = useMutation({ mutationFn: () => call(api.POST('/api/back-office/requests/{id}/close', { ...path, body: {} })), onSuccess: refresh });
  if (view.error) return <ErrorNote error={view.error} />;
  const r = view.data;
  if (!r) return <p>{t('common.loading')}</p>;
  return (
    <section>
      <p>
        <Link to="/requests">{t('requests.back')}</Link>
      </p>
      <h1>
        {t(`requests.kinds.${r.kind}`)}: {r.subject}
      </h1>
      <p className="row">
        <StatusBadge kind="request" status={r.status} />
        <span>{t('application.assignee', { who: r.assignedTo ?? '—' })}</span>
        <span>{t('request.created', { at: dateTime(r.createdAt) })}</span>
      </p>
      <ErrorNote error={take.error ?? close.error} />
      <div className="row">
        {(r.status === 'new' || r.status === 'needs_info' || r.status === 'answered') && (
          <button type="button" onClick={() => take.mutate()} disabled={take.isPending}>
            {t('queue.take')}
          </button>
        )}
        {r.status !== 'closed' && (
          <button type="button" onClick={() => close.mutate()} disabled={close.isPending}>
            {t('request.close')}
          </button>
        )}
      </div>
      <section className="panel" aria-labelledby="request-title">
        <h2 id="request-title">{t('request.details')}</h2>
        <dl className="facts">
          <dt>{t('requests.author')}</dt>
          <dd>
            {r.author.name} ({r.author.contact})
          </dd>
          {r.consumerRef && (
            <>
              <dt>{t('request.consumer')}</dt>
              <dd>{r.consumerRef}</dd>
            </>
          )}
        </dl>
        {r.consumerRef && <OpenCabinet consumerRef={r.consumerRef} />}
        <RequestFields request={r} />
        {r.text && <p className="text">{r.text}</p>}
        <Attachments files={r.attachments} />
      </section>
      <Thread messages={r.messages} />
      {r.status !== 'closed' && (
        <MessageForm
          title={t('request.answerTitle')}
          onSent={() => void refresh()}
          actions={[
            { label: t('request.answer'), send: (body: OutgoingMessage) => call(api.POST('/api/back-office/requests/{id}/answer', { ...path, body })) },
            { label: t('application.requestInfo'), send: (body: OutgoingMessage) => call(api.POST('/api/back-office/requests/{id}/request-info', { ...path, body })) },
          ]}
        />
      )}
    </section>
  );
}
