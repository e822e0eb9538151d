import '../requests/areas.css';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from '../../shared/router.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';
import { OffsetPager } from '../../shared/ui/Pager.js';
import { api, call } from '../api/client.js';
import { dateTimeOf } from '../requests/format.js';
import { applicationStatuses, type ApplicationStatus } from './statuses.js';

const LIMIT = 20;

/** Applications for a supply contract: drafts, submitted ones, the ones with a contract to sign. */
export function ApplicationsScreen() {
  const { t } = useTranslation();
  const [offset, setOffset] = useState(0);
  const [status, setStatus] = useState<ApplicationStatus | ''>('');
  const list = useQuery({
    queryKey: ['applications', offset, status],
    placeholderData: keepPreviousData,
    queryFn: () => call(api.GET('/api/applications', { params: { query: { limit: LIMIT, offset, ...(status ? { status } : {}) } } })),
  });
  return (
    <section>
      <div className="row heading">
        <h1>{t('applications.title')}</h1>
        <Link to="/applications/new" className="button primary">
          {t('applications.new')}
        </Link>
      </div>
      <div className="inline" role="search" aria-label={t('applications.filters')}>
        <Field label={t('common.status')}>
          <select value={status} onChange={(e) => { setStatus(e.target.value as ApplicationStatus | ''); setOffset(0); }}>
            <option value="">{t('applications.anyStatus')}</option>
            {applicationStatuses.map((s) => (
              <option key={s} value={s}>{t(`applications.status.${s}`)}</option>
            ))}
          </select>
        </Field>
      </div>
      <ErrorNote error={list.error} />
      <DataTable
        caption={t('applications.title')}
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(a) => a.id}
        columns={[
          { key: 'object', title: t('applications.objectAddress'), render: (a) => <Link to={`/applications/${a.id}`}>{a.objectAddress}</Link> },
          { key: 'applicant', title: t('applications.applicant'), render: (a) => a.applicant.name },
          { key: 'power', title: t('applications.power'), numeric: true, render: (a) => `${a.requestedPowerKw} ${t('applications.kw')}` },
          { key: 'status', title: t('common.status'), render: (a) => <span className={`status status-${a.status}`}>{t(`applications.status.${a.status}`)}</span> },
          { key: 'updated', title: t('applications.updatedAt'), render: (a) => dateTimeOf(a.updatedAt) },
        ]}
      />
      <OffsetPager offset={offset} limit={LIMIT} total={list.data?.total} count={list.data?.items.length ?? 0} onChange={setOffset} />
    </section>
  );
}
