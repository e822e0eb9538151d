import './areas.css';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from '../../shared/router.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';
import { OffsetPager } from '../../shared/ui/Pager.js';
import { api, call } from '../api/client.js';
import { dateTimeOf } from './format.js';
import { requestKinds, requestStatuses, type RequestKind, type RequestStatus } from './kinds.js';

const LIMIT = 20;

/** The consumer's requests (обращения), newest first, filtered by status and kind on the server. */
export function RequestsScreen() {
  const { t } = useTranslation();
  const [offset, setOffset] = useState(0);
  const [status, setStatus] = useState<RequestStatus | ''>('');
  const [kind, setKind] = useState<RequestKind | ''>('');
  const list = useQuery({
    queryKey: ['requests', offset, status, kind],
    placeholderData: keepPreviousData,
    queryFn: () => call(api.GET('/api/requests', { params: { query: { limit: LIMIT, offset, ...(status ? { status } : {}), ...(kind ? { kind } : {}) } } })),
  });
  return (
    <section>
      <div className="row heading">
        <h1>{t('requests.title')}</h1>
        <Link to="/requests/new" className="button primary">
          {t('requests.new')}
        </Link>
      </div>
      <div className="inline" role="search" aria-label={t('requests.filters')}>
        <Field label={t('common.status')}>
          <select value={status} onChange={(e) => { setStatus(e.target.value as RequestStatus | ''); setOffset(0); }}>
            <option value="">{t('requests.anyStatus')}</option>
            {requestStatuses.map((s) => (
              <option key={s} value={s}>{t(`requests.status.${s}`)}</option>
            ))}
          </select>
        </Field>
        <Field label={t('requests.kind')}>
          <select value={kind} onChange={(e) => { setKind(e.target.value as RequestKind | ''); setOffset(0); }}>
            <option value="">{t('requests.anyKind')}</option>
            {requestKinds.map((k) => (
              <option key={k} value={k}>{t(`requests.kinds.${k}`)}</option>
            ))}
          </select>
        </Field>
      </div>
      <ErrorNote error={list.error} />
      <DataTable
        caption={t('requests.title')}
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(r) => r.id}
        columns={[
          { key: 'subject', title: t('requests.subject'), render: (r) => <Link to={`/requests/${r.id}`}>{r.subject}</Link> },
          { key: 'kind', title: t('requests.kind'), render: (r) => t(`requests.kinds.${r.kind}`) },
          { key: 'status', title: t('common.status'), render: (r) => <span className={`status status-${r.status}`}>{t(`requests.status.${r.status}`)}</span> },
          { key: 'updated', title: t('requests.updatedAt'), render: (r) => dateTimeOf(r.updatedAt) },
        ]}
      />
      <OffsetPager offset={offset} limit={LIMIT} total={list.data?.total} count={list.data?.items.length ?? 0} onChange={setOffset} />
    </section>
  );
}
