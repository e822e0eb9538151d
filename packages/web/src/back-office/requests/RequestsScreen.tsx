import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { dateTime } from '../../shared/format.js';
import { Link } from '../../shared/router.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';
import { OffsetPager } from '../../shared/ui/Pager.js';
import { api, callAs, type Query } from '../api/client.js';
import type { Page, RequestView } from '../api/views.js';
import { QueueFilters } from '../thread/QueueFilters.js';
import { StatusBadge } from '../thread/StatusBadge.js';

const STATUSES = ['new', 'in_progress', 'needs_info', 'answered', 'closed'] as const;
const KINDS = ['correct_details', 'terminate_contract', 'meter_replacement', 'free_form', 'support'] as const;
const LIMIT = 20;
type Filters = Query<'/api/back-office/requests', 'get'>;

/** The queue of requests, oldest first: by status, kind and assignee, paged on the server. */
export function RequestsScreen() {
  const { t } = useTranslation();
  const [filters, setFilters] = useState({ status: '', assignedTo: '', kind: '' });
  const [offset, setOffset] = useState(0);
  const query: Filters = { limit: LIMIT, offset, ...(filters.status ? { status: filters.status as Filters['status'] } : {}), ...(filters.kind ? { kind: filters.kind as Filters['kind'] } : {}), ...(filters.assignedTo ? { assignedTo: filters.assignedTo } : {}) };
  const list = useQuery({ queryKey: ['requests', query], placeholderData: keepPreviousData, queryFn: () => callAs<Page<RequestView>>(api.GET('/api/back-office/requests', { params: { query } })) });
  const change = (f: Partial<typeof filters>) => (setFilters({ ...filters, ...f }), setOffset(0));
  return (
    <section>
      <h1>{t('nav.requests')}</h1>
      <QueueFilters kind="request" statuses={STATUSES} status={filters.status} assignedTo={filters.assignedTo} onChange={change}>
        <Field label={t('requests.kind')}>
          <select name="kind" value={filters.kind} onChange={(e) => change({ kind: e.target.value })}>
            <option value="">{t('common.all')}</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`requests.kinds.${k}`)}
              </option>
            ))}
          </select>
        </Field>
      </QueueFilters>
      <ErrorNote error={list.error} />
      <DataTable
        caption={t('nav.requests')}
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(r) => r.id}
        columns={[
          { key: 'created', title: t('requests.createdAt'), render: (r) => dateTime(r.createdAt) },
          { key: 'subject', title: t('requests.subject'), render: (r) => <Link to={`/requests/${r.id}`}>{r.subject}</Link> },
          { key: 'kind', title: t('requests.kind'), render: (r) => t(`requests.kinds.${r.kind}`) },
          { key: 'author', title: t('requests.author'), render: (r) => r.author.name },
          { key: 'status', title: t('common.status'), render: (r) => <StatusBadge kind="request" status={r.status} /> },
          { key: 'assignee', title: t('queue.assignee'), render: (r) => r.assignedTo ?? '—' },
        ]}
      />
      <OffsetPager offset={offset} limit={LIMIT} total={list.data?.total} count={list.data?.items.length ?? 0} onChange={setOffset} />
    </section>
  );
}
