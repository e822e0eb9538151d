import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { dateTime, money } from '../../shared/format.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';
import { OffsetPager } from '../../shared/ui/Pager.js';
import { api, call, type Query } from '../api/client.js';
import { StatusBadge } from '../thread/StatusBadge.js';

const LIMIT = 25;
type Filters = Query<'/api/back-office/payments', 'get'>;

/** Card payments the cabinet registered to billing through the back: booked, or refused (the money needs an employee). */
export function PaymentsScreen() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<Filters['status'] | ''>('');
  const [offset, setOffset] = useState(0);
  const query: Filters = { limit: LIMIT, offset, ...(status ? { status } : {}) };
  const list = useQuery({ queryKey: ['payments', query], placeholderData: keepPreviousData, queryFn: () => call(api.GET('/api/back-office/payments', { params: { query } })) });
  return (
    <section>
      <h1>{t('nav.payments')}</h1>
      <p className="hint">{t('payments.hint')}</p>
      <form className="inline filters" role="search" aria-label={t('queue.filters')} onSubmit={(e) => e.preventDefault()}>
        <Field label={t('common.status')}>
          <select value={status} onChange={(e) => (setStatus(e.target.value as Filters['status'] | ''), setOffset(0))}>
            <option value="">{t('common.all')}</option>
            <option value="booked">{t('status.payment.booked')}</option>
            <option value="refused">{t('status.payment.refused')}</option>
          </select>
        </Field>
      </form>
      <ErrorNote error={list.error} />
      <DataTable
        caption={t('nav.payments')}
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(p) => p.orderId}
        columns={[
          { key: 'at', title: t('payments.registeredAt'), render: (p) => dateTime(p.registeredAt) },
          { key: 'amount', title: t('payments.amount'), numeric: true, render: (p) => money(Number(p.amount)) },
          { key: 'status', title: t('common.status'), render: (p) => <StatusBadge kind="payment" status={p.status} /> },
          { key: 'consumer', title: t('payments.consumer'), render: (p) => p.consumerRef },
          { key: 'contract', title: t('payments.contract'), render: (p) => p.contractId ?? '—' },
          { key: 'paidOn', title: t('payments.paidOn'), render: (p) => p.paidOn ?? '—' },
          { key: 'billing', title: t('payments.billingId'), render: (p) => p.paymentId ?? (p.code ? t(`errors.${p.code}`, { defaultValue: p.message ?? p.code }) : '—') },
          { key: 'order', title: t('payments.order'), render: (p) => <code className="wrap">{p.orderId}</code> },
        ]}
      />
      <OffsetPager offset={offset} limit={LIMIT} total={list.data?.total} count={list.data?.items.length ?? 0} onChange={setOffset} />
    </section>
  );
}
