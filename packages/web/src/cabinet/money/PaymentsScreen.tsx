import '../requests/areas.css';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from '../../shared/router.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { OffsetPager } from '../../shared/ui/Pager.js';
import { api, call } from '../api/client.js';
import { dateTimeOf } from '../requests/format.js';
import { date, rub } from '../shell/format.js';
import { ContractPicker, moneyQuery, useContractChoice } from './contracts.js';

const LIMIT = 20;

/** Payments billing has booked for the contract, and the card payments made in the cabinet with their state. */
export function PaymentsScreen() {
  const { t } = useTranslation();
  const choice = useContractChoice();
  const contractId = choice.contract?.id;
  const [offset, setOffset] = useState(0);
  const payments = useQuery({
    queryKey: ['payments', contractId, offset],
    enabled: Boolean(contractId),
    placeholderData: keepPreviousData,
    queryFn: () => call(api.GET('/api/payments', { params: { query: { limit: LIMIT, offset, contractId: contractId! } } })),
  });
  const orders = useQuery({
    queryKey: ['payment-orders', contractId],
    enabled: Boolean(contractId),
    queryFn: () => call(api.GET('/api/payments/orders', { params: { query: { limit: 10, offset: 0, contractId: contractId! } } })),
  });
  return (
    <section>
      <h1>{t('money.title')}</h1>
      <nav className="tabs" aria-label={t('money.sections')}>
        <Link to={`/money${moneyQuery(contractId)}`}>{t('money.account')}</Link>
        <Link to={`/money/invoices${moneyQuery(contractId)}`}>{t('money.invoices')}</Link>
        <Link to={`/money/payments${moneyQuery(contractId)}`} aria-current="page">{t('money.payments')}</Link>
      </nav>
      <ErrorNote error={choice.contracts.error ?? payments.error ?? orders.error} />
      <ContractPicker choice={choice} />
      {orders.data && orders.data.items.length > 0 && (
        <>
          <h2>{t('money.cardPayments')}</h2>
          <DataTable
            caption={t('money.cardPayments')}
            rows={orders.data.items}
            rowKey={(o) => o.id}
            columns={[
              { key: 'at', title: t('money.createdAt'), render: (o) => <Link to={`/money/payments/${o.id}`}>{dateTimeOf(o.createdAt)}</Link> },
              { key: 'amount', title: t('money.sum'), numeric: true, render: (o) => rub(o.amount) },
              { key: 'what', title: t('money.what'), render: (o) => (o.invoiceIds.length ? t('money.forInvoices', { count: o.invoiceIds.length }) : t('money.forDebt')) },
              { key: 'status', title: t('common.status'), render: (o) => <span className={`status status-${o.status}`}>{t(`money.order.${o.status}`)}</span> },
            ]}
          />
        </>
      )}
      <h2>{t('money.history')}</h2>
      <DataTable
        caption={t('money.history')}
        rows={contractId ? payments.data?.items : []}
        loading={payments.isFetching}
        rowKey={(p) => p.id}
        columns={[
          { key: 'date', title: t('money.paidOn'), render: (p) => date(p.paidOn) },
          { key: 'amount', title: t('money.sum'), numeric: true, render: (p) => rub(p.amount) },
          { key: 'document', title: t('money.document'), render: (p) => p.document },
          { key: 'source', title: t('money.source'), render: (p) => t(`money.sources.${p.source}`, { defaultValue: p.source }) },
        ]}
      />
      <OffsetPager offset={offset} limit={LIMIT} total={payments.data?.total} count={payments.data?.items.length ?? 0} onChange={setOffset} />
    </section>
  );
}
