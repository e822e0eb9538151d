import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, call } from '../../shared/api/client.js';
import { Link } from '../../shared/router.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';
import { OffsetPager } from '../../shared/ui/Pager.js';

const STATUSES = ['open', 'in_progress', 'resolved', 'closed'] as const;
type Status = (typeof STATUSES)[number];
const LIMIT = 25;

/** Claims (претензии), filtered and paged on the server. */
export function ClaimsScreen() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<Status | ''>('');
  const [offset, setOffset] = useState(0);
  const list = useQuery({
    queryKey: ['claims', status, offset],
    placeholderData: keepPreviousData,
    queryFn: () => call(api.GET('/api/staff/claims', { params: { query: { limit: LIMIT, offset, ...(status ? { status } : {}) } } })),
  });
  return (
    <section>
      <h1>{t('claims.list')}</h1>
      <form className="inline" onSubmit={(e) => e.preventDefault()}>
        <Field label={t('common.status')}>
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as Status | '');
              setOffset(0);
            }}
          >
            <option value="">{t('common.all')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </Field>
      </form>
      <ErrorNote error={list.error} />
      <DataTable
        caption={t('claims.list')}
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(c) => c.id}
        columns={[
          { key: 'number', title: '№', render: (c) => <Link to={`/claims/${c.id}`}>{c.number}</Link> },
          { key: 'title', title: t('claims.subject'), render: (c) => c.title },
          { key: 'status', title: t('common.status'), render: (c) => t(`status.${c.status}`) },
          { key: 'assignee', title: t('claims.assignee'), render: (c) => c.assignee ?? '—' },
          { key: 'resolution', title: t('claims.resolution'), render: (c) => (c.resolution ? t(`claims.resolutions.${c.resolution}`) : '—') },
        ]}
      />
      <OffsetPager offset={offset} limit={LIMIT} total={list.data?.total} count={list.data?.items.length ?? 0} onChange={setOffset} />
    </section>
  );
}
