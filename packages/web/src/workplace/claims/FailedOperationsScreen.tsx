import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, call } from '../../shared/api/client.js';
import { dateTime, money } from '../../shared/format.js';
import { useRouter } from '../../shared/router.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';
import { OffsetPager } from '../../shared/ui/Pager.js';

const LIMIT = 25;

/** Offline purchases the server could not post; each can become a claim. */
export function FailedOperationsScreen() {
  const { t } = useTranslation();
  const { navigate } = useRouter();
  const [status, setStatus] = useState<'open' | 'resolved' | ''>('open');
  const [offset, setOffset] = useState(0);
  const list = useQuery({
    queryKey: ['failed', status, offset],
    placeholderData: keepPreviousData,
    queryFn: () => call(api.GET('/api/staff/failed-operations', { params: { query: { limit: LIMIT, offset, ...(status ? { status } : {}) } } })),
  });
  const open = useMutation({
    mutationFn: (f: { id: string; code: string }) => call(api.POST('/api/staff/claims', { body: { failedOperationId: f.id, title: t('failed.claimTitle', { code: f.code }) } })),
    onSuccess: (claim) => navigate(`/claims/${claim.id}`),
  });
  return (
    <section>
      <h1>{t('failed.title')}</h1>
      <form className="inline" onSubmit={(e) => e.preventDefault()}>
        <Field label={t('common.status')}>
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as 'open' | 'resolved' | '');
              setOffset(0);
            }}
          >
            <option value="">{t('common.all')}</option>
            <option value="open">{t('status.open')}</option>
            <option value="resolved">{t('status.resolved')}</option>
          </select>
        </Field>
      </form>
      <ErrorNote error={list.error ?? open.error} />
      <DataTable
        caption={t('failed.title')}
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(f) => f.id}
        columns={[
          { key: 'at', title: t('operation.at'), render: (f) => dateTime(f.happenedAt) },
          { key: 'code', title: t('failed.code'), render: (f) => t(`errors.${f.code}`, { defaultValue: f.code }) },
          { key: 'identifier', title: t('identifier.value'), render: (f) => <code>{f.identifier.value}</code> },
          { key: 'amount', title: t('operation.amount'), numeric: true, render: (f) => money(f.amount) },
          { key: 'status', title: t('common.status'), render: (f) => t(`status.${f.status}`) },
          {
            key: 'claim',
            title: t('common.actions'),
            render: (f) =>
              f.status === 'open' ? (
                <button type="button" onClick={() => open.mutate(f)}>
                  {t('failed.openClaim')}
                </button>
              ) : null,
          },
        ]}
      />
      <OffsetPager offset={offset} limit={LIMIT} total={list.data?.total} count={list.data?.items.length ?? 0} onChange={setOffset} />
    </section>
  );
}
