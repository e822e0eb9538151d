import './areas.css';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from '../../shared/router.js';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { api, call } from '../api/client.js';
import type { ScreenProps } from '../screens.js';
import { FileList } from './Attachments.js';
import { dateTimeOf } from './format.js';
import { Thread } from './Thread.js';

/**
 * One request: what was asked (the typed form as sent), its status, the thread with the supplier's
 * answers and files, a reply, and closing it. While it waits for the back office the page asks again
 * every few seconds, so an answer appears without a reload.
 */
export function RequestScreen({ params }: ScreenProps) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const requestId = params.requestId!;
  const key = ['request', requestId];
  const request = useQuery({
    queryKey: key,
    queryFn: () => call(api.GET('/api/requests/{requestId}', { params: { path: { requestId } } })),
    refetchInterval: (q) => (q.state.data?.status === 'closed' ? false : 3000),
  });
  const refresh = (data: unknown) => {
    client.setQueryData(key, data);
    void client.invalidateQueries({ queryKey: ['requests'] });
  };
  const send = useMutation({
    mutationFn: (m: { text: string; attachmentIds: string[] }) => call(api.POST('/api/requests/{requestId}/messages', { params: { path: { requestId } }, body: { text: m.text, ...(m.attachmentIds.length ? { attachmentIds: m.attachmentIds } : {}) } })),
    onSuccess: refresh,
  });
  const close = useMutation({ mutationFn: () => call(api.POST('/api/requests/{requestId}/close', { params: { path: { requestId } } })), onSuccess: refresh });
  const r = request.data;
  return (
    <section>
      <p>
        <Link to="/requests">{t('requests.back')}</Link>
      </p>
      <ErrorNote error={request.error} />
      {r && (
        <>
          <h1>{r.subject}</h1>
          <dl className="facts card">
            <dt>{t('requests.kind')}</dt>
            <dd>{t(`requests.kinds.${r.kind}`)}</dd>
            <dt>{t('common.status')}</dt>
            <dd>
              <span className={`status status-${r.status}`} data-testid="request-status">
                {t(`requests.status.${r.status}`)}
              </span>
            </dd>
            <dt>{t('requests.createdAt')}</dt>
            <dd>{dateTimeOf(r.createdAt)}</dd>
            {Object.entries(flatFields(r.fields)).map(([k, v]) => (
              <FieldFact key={k} name={k} value={v} />
            ))}
            {r.text && (
              <>
                <dt>{t('requests.text')}</dt>
                <dd className="message-text">{r.text}</dd>
              </>
            )}
            {r.attachments.length > 0 && (
              <>
                <dt>{t('files.title')}</dt>
                <dd>
                  <FileList files={r.attachments} />
                </dd>
              </>
            )}
          </dl>
          <Thread
            messages={r.messages}
            canWrite={r.status !== 'closed' && r.kind !== 'link_contract'}
            onSend={(text, attachmentIds) => send.mutateAsync({ text, attachmentIds })}
            sending={send.isPending}
            error={send.error}
          />
          {r.status !== 'closed' && r.kind !== 'link_contract' && (
            <p>
              <button type="button" onClick={() => close.mutate()} disabled={close.isPending}>
                {t('requests.close')}
              </button>
            </p>
          )}
          <ErrorNote error={close.error} />
        </>
      )}
    </section>
  );
}

function FieldFact({ name, value }: { name: string; value: string }) {
  const { t } = useTranslation();
  return (
    <>
      <dt>{t(`requests.field.${name.replace(/\./g, '_')}`, { defaultValue: name })}</dt>
      <dd>{value}</dd>
    </>
  );
}

/** The typed form as "oldMeter.finalReadings": "T1: 123; T2: 45" lines. */
function flatFields(fields: Record<string, unknown>, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (Array.isArray(v)) out[key] = v.map((x: { zone?: string; value?: string }) => `${x.zone}: ${x.value}`).join('; ');
    else if (v && typeof v === 'object') Object.assign(out, flatFields(v as Record<string, unknown>, key));
    else if (v !== undefined && v !== null && v !== '') out[key] = String(v);
  }
  return out;
}
