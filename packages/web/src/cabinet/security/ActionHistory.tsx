import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { dateTime } from '../../shared/format.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { OffsetPager } from '../../shared/ui/Pager.js';
import { Field } from '../shell/Field.js';
import { json, type HistoryItem } from './api.js';

/**
 * Who did what: on the consumer's contracts (the security screen) or on one contract (its page, with
 * `contractId`). Owners see everyone's actions (a representative's are marked so), representatives
 * their own; filtered by person here, paged by the server.
 */
export function ActionHistory({ consumerRef, contractId, title }: { consumerRef: string; contractId?: string; title?: string }) {
  const { t } = useTranslation();
  const [offset, setOffset] = useState(0);
  const [who, setWho] = useState('');
  const query = new URLSearchParams({ limit: '50', offset: String(offset), ...(contractId ? { contractId } : {}) });
  const history = useQuery({
    queryKey: ['history', consumerRef, contractId ?? '', offset],
    queryFn: () => json<{ items: HistoryItem[]; total: number; limit: number }>('GET', `/api/consumers/${encodeURIComponent(consumerRef)}/history?${query}`),
  });
  const items = history.data?.items ?? [];
  const people = [...new Map(items.map((h) => [h.login, h.displayName || h.login])).entries()];
  const shown = who ? items.filter((h) => h.login === who) : items;
  const caption = title ?? t('security.history.title');
  return (
    <>
      <h3>{caption}</h3>
      <ErrorNote error={history.error} />
      {people.length > 1 && (
        <Field label={t('security.history.who')}>
          <select name="history-who" value={who} onChange={(e) => setWho(e.target.value)}>
            <option value="">{t('security.history.everyone')}</option>
            {people.map(([login, name]) => (
              <option key={login} value={login}>
                {name}
              </option>
            ))}
          </select>
        </Field>
      )}
      {history.data && shown.length === 0 && <p>{t('security.history.none')}</p>}
      {shown.length > 0 && (
        <DataTable
          caption={caption}
          rows={shown}
          rowKey={(h) => `${h.at}-${h.login}-${h.action}`}
          columns={[
            { key: 'at', title: t('security.history.at'), render: (h) => dateTime(h.at) },
            { key: 'who', title: t('security.history.person'), render: (h) => `${h.displayName || h.login} (${h.login})` },
            { key: 'role', title: t('security.history.role'), render: (h) => t(`security.roles.${h.role}`, { defaultValue: h.role }) },
            { key: 'action', title: t('security.history.action'), render: (h) => t(`security.actions.${h.action}`, { defaultValue: h.action }) },
            ...(contractId ? [] : [{ key: 'contract', title: t('security.history.contract'), render: (h: HistoryItem) => h.contractNumber ?? '—' }]),
          ]}
        />
      )}
      {history.data && (
        <OffsetPager offset={offset} limit={history.data.limit} total={history.data.total} count={items.length} onChange={setOffset} />
      )}
    </>
  );
}
