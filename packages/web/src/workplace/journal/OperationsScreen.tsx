import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, call } from '../../shared/api/client.js';
import { dateTime, dayStart, money, nextDayStart } from '../../shared/format.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';
import { KeysetPager } from '../../shared/ui/Pager.js';

const TYPES = ['credit', 'purchase', 'reversal', 'refund', 'correction', 'transfer', 'close'] as const;
type OperationType = (typeof TYPES)[number];

/** The operations journal over the whole ledger: by period and type, keyset-paged on the server. */
export function OperationsScreen() {
  const { t } = useTranslation();
  const [filter, setFilter] = useState({ from: '', to: '', type: '' as '' | OperationType });
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const page = useQuery({
    queryKey: ['operations', filter, cursor],
    placeholderData: keepPreviousData,
    queryFn: () =>
      call(
        api.GET('/api/staff/operations', {
          params: {
            query: { limit: 50, ...(filter.from ? { from: dayStart(filter.from) } : {}), ...(filter.to ? { to: nextDayStart(filter.to) } : {}), ...(filter.type ? { type: filter.type } : {}), ...(cursor ? { cursor } : {}) },
          },
        }),
      ),
  });
  const change = (next: Partial<typeof filter>) => {
    setFilter({ ...filter, ...next });
    setCursors([]);
  };
  return (
    <section>
      <h1>{t('operations.title')}</h1>
      <form className="inline" role="search" onSubmit={(e) => e.preventDefault()}>
        <Field label={t('common.from')}>
          <input type="date" name="from" value={filter.from} onChange={(e) => change({ from: e.target.value })} />
        </Field>
        <Field label={t('common.to')}>
          <input type="date" name="to" value={filter.to} onChange={(e) => change({ to: e.target.value })} />
        </Field>
        <Field label={t('operation.type')}>
          <select name="type" value={filter.type} onChange={(e) => change({ type: e.target.value as OperationType | '' })}>
            <option value="">{t('common.all')}</option>
            {TYPES.map((type) => (
              <option key={type} value={type}>
                {t(`operation.types.${type}`)}
              </option>
            ))}
          </select>
        </Field>
      </form>
      <ErrorNote error={page.error} />
      <DataTable
        caption={t('operations.title')}
        rows={page.data?.items}
        loading={page.isFetching}
        rowKey={(r) => r.id}
        columns={[
          { key: 'seq', title: '№', render: (r) => r.seq },
          { key: 'at', title: t('operation.at'), render: (r) => dateTime(r.at) },
          { key: 'type', title: t('operation.type'), render: (r) => t(`operation.types.${r.type}`) },
          { key: 'account', title: t('operation.account'), render: (r) => r.accountNumber ?? '—' },
          { key: 'merchant', title: t('operation.merchant'), render: (r) => r.merchantName ?? '—' },
          { key: 'amount', title: t('operation.amount'), numeric: true, render: (r) => money(r.amount) },
          { key: 'by', title: t('operation.by'), render: (r) => r.createdBy ?? '—' },
        ]}
      />
      <KeysetPager cursors={cursors} nextCursor={page.data?.nextCursor} onChange={setCursors} />
    </section>
  );
}
