import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { dateTime } from '../../shared/format.js';
import { Link } from '../../shared/router.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';
import { OffsetPager } from '../../shared/ui/Pager.js';
import { api, call, type Query } from '../api/client.js';
import { StatusBadge } from '../thread/StatusBadge.js';

const LIMIT = 20;
type Filters = Query<'/api/back-office/link-requests', 'get'>;

/** Requests to link a contract to a cabinet, oldest first: an employee checks each against billing. */
export function LinkRequestsScreen() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<Filters['status'] | ''>('new');
  const [offset, setOffset] = useState(0);
  const query: Filters = { limit: LIMIT, offset, ...(status ? { status } : {}) };
  const list = useQuery({ queryKey: ['link-requests', query], placeholderData: keepPreviousData, queryFn: () => call(api.GET('/api/back-office/link-requests', { params: { query } })) });
  return (
    <section>
      <h1>{t('nav.linkRequests')}</h1>
      <form className="inline filters" role="search" aria-label={t('queue.filters')} onSubmit={(e) => e.preventDefault()}>
        <Field label={t('common.status')}>
          <select value={status} onChange={(e) => (setStatus(e.target.value as Filters['status'] | ''), setOffset(0))}>
            <option value="">{t('common.all')}</option>
            {(['new', 'confirmed', 'declined'] as const).map((s) => (
              <option key={s} value={s}>
                {t(`status.link.${s}`)}
              </option>
            ))}
          </select>
        </Field>
      </form>
      <ErrorNote error={list.error} />
      <DataTable
        caption={t('nav.linkRequests')}
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(r) => r.id}
        columns={[
          { key: 'created', title: t('requests.createdAt'), render: (r) => dateTime(r.createdAt) },
          { key: 'contract', title: t('linkRequest.contract'), render: (r) => <Link to={`/link-requests/${r.id}`}>{r.contractNumber}</Link> },
          { key: 'applicant', title: t('applications.applicant'), render: (r) => r.applicantName },
          { key: 'tax', title: t('applicant.inn'), render: (r) => r.taxId ?? '—' },
          { key: 'status', title: t('common.status'), render: (r) => <StatusBadge kind="link" status={r.status} /> },
          { key: 'decided', title: t('linkRequest.decidedBy'), render: (r) => r.decidedBy ?? '—' },
        ]}
      />
      <OffsetPager offset={offset} limit={LIMIT} total={list.data?.total} count={list.data?.items.length ?? 0} onChange={setOffset} />
    </section>
  );
}
