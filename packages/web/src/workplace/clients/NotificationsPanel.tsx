import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, call, type Ok } from '../../shared/api/client.js';
import { dateTime, money, parseRoubles } from '../../shared/format.js';
import { ErrorNote } from '../../shared/ui/Feedback.js';

type Subscription = Ok<'/api/staff/clients/{id}/notifications', 'get'>['items'][number];

/** SMS and e-mail subscriptions of the client (purchases, low balance with its threshold) and the last notices. */
export function NotificationsPanel({ clientId, hasPhone, hasEmail }: { clientId: string; hasPhone: boolean; hasEmail: boolean }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const key = ['notifications', clientId];
  const subs = useQuery({ queryKey: key, queryFn: () => call(api.GET('/api/staff/clients/{id}/notifications', { params: { path: { id: clientId } } })) });
  const notices = useQuery({ queryKey: ['notices', clientId], queryFn: () => call(api.GET('/api/staff/clients/{id}/notices', { params: { path: { id: clientId } } })) });
  const save = useMutation({
    mutationFn: (s: Subscription) =>
      call(api.PUT('/api/staff/clients/{id}/notifications/{channel}', { params: { path: { id: clientId, channel: s.channel } }, body: { purchases: s.purchases, lowBalance: s.lowBalance, lowBalanceThreshold: s.lowBalanceThreshold } })),
    // Optimistic: the box shows the new state at once; a refusal puts the server's state back.
    onMutate: (s) => client.setQueryData(key, (old: { items: Subscription[] } | undefined) => old && { items: old.items.map((x) => (x.channel === s.channel ? s : x)) }),
    onSettled: () => client.invalidateQueries({ queryKey: key }),
  });
  return (
    <section className="panel" aria-labelledby={`subs-${clientId}`}>
      <h2 id={`subs-${clientId}`}>{t('notifications.title')}</h2>
      {subs.data?.items.map((s) => {
        const reachable = s.channel === 'sms' ? hasPhone : hasEmail;
        return (
          <fieldset key={s.channel} disabled={save.isPending}>
            <legend>{t(`notifications.channels.${s.channel}`)}</legend>
            {!reachable && <p className="hint">{t(`notifications.noAddress.${s.channel}`)}</p>}
            <label className="check">
              <input type="checkbox" name={`${s.channel}-purchases`} disabled={!reachable} checked={s.purchases} onChange={(e) => save.mutate({ ...s, purchases: e.target.checked })} />
              {t('notifications.purchases')}
            </label>
            <label className="check">
              <input type="checkbox" name={`${s.channel}-low`} disabled={!reachable} checked={s.lowBalance} onChange={(e) => save.mutate({ ...s, lowBalance: e.target.checked })} />
              {t('notifications.lowBalance')}
            </label>
            <label className="field inline-field">
              <span>{t('notifications.threshold')}</span>
              <input
                name={`${s.channel}-threshold`}
                inputMode="decimal"
                defaultValue={(s.lowBalanceThreshold / 100).toFixed(2)}
                onBlur={(e) => {
                  const kopecks = parseRoubles(e.target.value);
                  if (kopecks !== null && kopecks >= 0 && kopecks !== s.lowBalanceThreshold) save.mutate({ ...s, lowBalanceThreshold: kopecks });
                }}
              />
              <small>{money(s.lowBalanceThreshold)}</small>
            </label>
          </fieldset>
        );
      })}
      <ErrorNote error={save.error ?? subs.error} />
      {notices.data && notices.data.items.length > 0 && (
        <details>
          <summary>{t('notifications.sent', { n: notices.data.items.length })}</summary>
          <ul className="notices">
            {notices.data.items.map((n) => (
              <li key={n.id}>
                {dateTime(n.createdAt)} · {t(`notifications.channels.${n.channel}`)} · {n.address} · {t(`notifications.status.${n.status}`)} — {n.body}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
