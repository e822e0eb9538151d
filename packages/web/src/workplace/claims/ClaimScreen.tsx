import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, call } from '../../shared/api/client.js';
import { dateTime } from '../../shared/format.js';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';
import { useSession } from '../session.js';

/** One claim: its journal, comments; a settlement specialist takes it, resolves it by reversal or rejects it, and closes it. */
export function ClaimScreen({ params }: { params: Record<string, string> }) {
  const { t } = useTranslation();
  const { me, can } = useSession();
  const client = useQueryClient();
  const id = params.id!;
  const claim = useQuery({ queryKey: ['claim', id], queryFn: () => call(api.GET('/api/staff/claims/{id}', { params: { path: { id } } })) });
  const [comment, setComment] = useState('');
  const refresh = () => client.invalidateQueries({ queryKey: ['claim', id] });
  const act = useMutation({
    mutationFn: async (what: 'comment' | 'assign' | 'reverse' | 'reject' | 'close') => {
      const path = { params: { path: { id } } };
      if (what === 'comment') return call(api.POST('/api/staff/claims/{id}/comments', { ...path, body: { text: comment } }));
      if (what === 'assign') return call(api.POST('/api/staff/claims/{id}/assign', { ...path, body: { assignee: me.login } }));
      if (what === 'close') return call(api.POST('/api/staff/claims/{id}/close', path));
      const key = `claim-${id}-${what}`;
      return call(api.POST('/api/staff/claims/{id}/resolution', { ...path, body: what === 'reverse' ? { kind: 'reversal', idempotencyKey: key } : { kind: 'rejected', idempotencyKey: key, note: comment || t('claims.rejectedNote') } }));
    },
    onSuccess: () => {
      setComment('');
      return refresh();
    },
  });
  if (claim.error) return <ErrorNote error={claim.error} />;
  if (!claim.data) return <p>{t('common.loading')}</p>;
  const c = claim.data;
  return (
    <section>
      <h1>{t('claims.heading', { number: c.number, title: c.title })}</h1>
      <p>
        {t('common.status')}: <strong>{t(`status.${c.status}`)}</strong> · {t('claims.assignee')}: {c.assignee ?? '—'}
      </p>
      {c.description && <p>{c.description}</p>}
      <ol className="events">
        {c.events.map((e) => (
          <li key={e.id}>
            {dateTime(e.at)} · {e.actor} · {t(`claims.events.${e.kind}`, { defaultValue: e.kind })} {typeof e.details.text === 'string' ? `— ${e.details.text}` : ''}
          </li>
        ))}
      </ol>
      <form
        className="panel"
        onSubmit={(e) => {
          e.preventDefault();
          act.mutate('comment');
        }}
      >
        <Field label={t('claims.comment')}>
          <textarea name="comment" value={comment} onChange={(e) => setComment(e.target.value)} required />
        </Field>
        <button type="submit">{t('claims.addComment')}</button>
      </form>
      {can('settlement') && (
        <p className="row">
          {(c.status === 'open' || c.status === 'in_progress') && (
            <button type="button" onClick={() => act.mutate('assign')}>
              {t('claims.take')}
            </button>
          )}
          {c.status !== 'resolved' && c.status !== 'closed' && c.operationId && (
            <button type="button" onClick={() => act.mutate('reverse')}>
              {t('claims.reverse')}
            </button>
          )}
          {c.status !== 'resolved' && c.status !== 'closed' && (
            <button type="button" onClick={() => act.mutate('reject')}>
              {t('claims.reject')}
            </button>
          )}
          {c.status === 'resolved' && (
            <button type="button" onClick={() => act.mutate('close')}>
              {t('claims.close')}
            </button>
          )}
        </p>
      )}
      <ErrorNote error={act.error} />
    </section>
  );
}
