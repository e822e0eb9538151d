import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { dateTime } from '../../shared/format.js';
import { Link } from '../../shared/router.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';
import { OffsetPager } from '../../shared/ui/Pager.js';
import { api, callAs, type Query } from '../api/client.js';
import type { ApplicationView, Page } from '../api/views.js';
import { QueueFilters } from '../thread/QueueFilters.js';
import { StatusBadge } from '../thread/StatusBadge.js';

export const APPLICATION_STATUSES = ['submitted', 'in_review', 'needs_info', 'contract_issued', 'signed', 'rejected', 'withdrawn'] as const;
const LIMIT = 20;
type Filters = Query<'/api/back-office/applications', 'get'>;

/** The queue of contract applications, oldest first: filtered by status, assignee and text, paged on the server. */
export function ApplicationsScreen() {
  const { t } = useTranslation();
  const [filters, setFilters] = useState({ status: '', assignedTo: '', q: '' });
  const [offset, setOffset] = useState(0);
  const query: Filters = { limit: LIMIT, offset, ...(filters.status ? { status: filters.status as Filters['status'] } : {}), ...(filters.assignedTo ? { assignedTo: filters.assignedTo } : {}), ...(filters.q ? { q: filters.q } : {}) };
  const list = useQuery({
    queryKey: ['applications', query],
    placeholderData: keepPreviousData,
    queryFn: () => callAs<Page<ApplicationView>>(api.GET('/api/back-office/applications', { params: { query } })),
  });
  const change = (f: Partial<typeof filters>) => (setFilters({ ...filters, ...f }), setOffset(0));
  return (
    <section>
      <h1>{t('nav.applications')}</h1>
      <QueueFilters kind="application" statuses={APPLICATION_STATUSES} status={filters.status} assignedTo={filters.assignedTo} onChange={change}>
        <Field label={t('applications.search')}>
          <input type="search" name="q" value={filters.q} onChange={(e) => change({ q: e.target.value })} />
        </Field>
      </QueueFilters>
      <ErrorNote error={list.error} />
      <DataTable
        caption={t('nav.applications')}
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(a) => a.id}
        columns={[
          { key: 'submitted', title: t('applications.submittedAt'), render: (a) => dateTime(a.submittedAt) },
          { key: 'applicant', title: t('applications.applicant'), render: (a) => <Link to={`/applications/${a.id}`}>{a.applicant.name}</Link> },
          { key: 'address', title: t('applications.object'), render: (a) => a.objectAddress },
          { key: 'power', title: t('applications.power'), numeric: true, render: (a) => t('applications.kw', { value: a.requestedPowerKw }) },
          { key: 'status', title: t('common.status'), render: (a) => <StatusBadge kind="application" status={a.status} /> },
          { key: 'assignee', title: t('queue.assignee'), render: (a) => a.assignedTo ?? '—' },
        ]}
      />
      <OffsetPager offset={offset} limit={LIMIT} total={list.data?.total} count={list.data?.items.length ?? 0} onChange={setOffset} />
    </section>
  );
}
