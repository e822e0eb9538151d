import '../requests/areas.css';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from '../../shared/router.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';
import { OffsetPager } from '../../shared/ui/Pager.js';
import { api, call, download } from '../api/client.js';
import { date, month, rub } from '../shell/format.js';
import { ContractPicker, moneyQuery, useContractChoice } from './contracts.js';
import { NoRight, useRight } from '../security/rights.js';
import { newKey, startPayment } from './pay.js';

const LIMIT = 24;

/** Invoices and acts of a contract for any period, each as PDF; invoices chosen here can be paid by card together. */
export function InvoicesScreen() {
  const { t } = useTranslation();
  const choice = useContractChoice();
  const contractId = choice.contract?.id;
  const [offset, setOffset] = useState(0);
  const [kind, setKind] = useState<'' | 'invoice' | 'act'>('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [key, setKey] = useState(newKey);
  const [loadingPdf, setLoadingPdf] = useState<string | null>(null);
  const [pdfError, setPdfError] = useState<unknown>(null);
  const list = useQuery({
    queryKey: ['invoices', contractId, offset, kind, from, to],
    enabled: Boolean(contractId),
    placeholderData: keepPreviousData,
    queryFn: () => call(api.GET('/api/invoices', { params: { query: { limit: LIMIT, offset, contractId: contractId!, ...(kind ? { kind } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) } } })),
  });
  const pay = useMutation({ mutationFn: () => startPayment({ contractId: contractId!, invoiceIds: chosen }, key), onError: () => setKey(newKey()) });
  const items = list.data?.items ?? [];
  const canPay = useRight(choice.contract?.consumerRef, 'pay');
  const total = items.filter((i) => chosen.includes(i.id)).reduce((s, i) => s + BigInt(i.amount), 0n);
  const toggle = (id: string) => setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c, id]));
  const pdf = async (id: string, number: string) => {
    setLoadingPdf(id);
    setPdfError(null);
    try {
      await download(`/api/invoices/${id}/pdf`, `${number}.pdf`);
    } catch (e) {
      setPdfError(e);
    } finally {
      setLoadingPdf(null);
    }
  };
  return (
    <section>
      <h1>{t('money.title')}</h1>
      <nav className="tabs" aria-label={t('money.sections')}>
        <Link to={`/money${moneyQuery(contractId)}`}>{t('money.account')}</Link>
        <Link to={`/money/invoices${moneyQuery(contractId)}`} aria-current="page">{t('money.invoices')}</Link>
        <Link to={`/money/payments${moneyQuery(contractId)}`}>{t('money.payments')}</Link>
      </nav>
      <ErrorNote error={choice.contracts.error ?? list.error} />
      <ContractPicker choice={choice} />
      <div className="inline" role="search" aria-label={t('money.filters')}>
        <Field label={t('money.kind')}>
          <select value={kind} onChange={(e) => { setKind(e.target.value as '' | 'invoice' | 'act'); setOffset(0); }}>
            <option value="">{t('money.allKinds')}</option>
            <option value="invoice">{t('money.kinds.invoice')}</option>
            <option value="act">{t('money.kinds.act')}</option>
          </select>
        </Field>
        <Field label={t('money.fromMonth')}>
          <input type="month" value={from} onChange={(e) => { setFrom(e.target.value); setOffset(0); }} />
        </Field>
        <Field label={t('money.toMonth')}>
          <input type="month" value={to} onChange={(e) => { setTo(e.target.value); setOffset(0); }} />
        </Field>
      </div>
      <DataTable
        caption={t('money.invoices')}
        rows={contractId ? list.data?.items : []}
        loading={list.isFetching}
        rowKey={(i) => i.id}
        columns={[
          {
            key: 'pick',
            title: t('money.pick'),
            render: (i) =>
              i.kind === 'invoice' ? (
                <input type="checkbox" checked={chosen.includes(i.id)} onChange={() => toggle(i.id)} aria-label={t('money.pickInvoice', { number: i.number })} />
              ) : null,
          },
          { key: 'number', title: t('money.number'), render: (i) => i.number },
          { key: 'kind', title: t('money.kind'), render: (i) => t(`money.kinds.${i.kind}`, { defaultValue: i.kind }) },
          { key: 'period', title: t('money.period'), render: (i) => month(i.period) },
          { key: 'due', title: t('money.due'), render: (i) => date(i.dueOn) },
          { key: 'amount', title: t('money.sum'), numeric: true, render: (i) => rub(i.amount) },
          {
            key: 'pdf',
            title: t('money.pdf'),
            render: (i) =>
              i.hasPdf ? (
                <button type="button" className="link" disabled={loadingPdf === i.id} onClick={() => void pdf(i.id, i.number)} aria-label={t('money.pdfOf', { number: i.number })}>
                  {loadingPdf === i.id ? t('money.pdfLoading') : 'PDF'}
                </button>
              ) : (
                <span className="hint">{t('money.pdfNotYet')}</span>
              ),
          },
        ]}
      />
      <OffsetPager offset={offset} limit={LIMIT} total={list.data?.total} count={items.length} onChange={setOffset} />
      <ErrorNote error={pdfError} />
      {canPay === false && <NoRight right="pay" />}
      {canPay && (
        <div className="card row">
          <span>{t('money.chosen', { count: chosen.length, amount: rub(total.toString()) })}</span>
          <button type="button" className="button primary" disabled={chosen.length === 0 || pay.isPending} onClick={() => pay.mutate()}>
            {t('money.payChosen')}
          </button>
          {pay.isPending && <span role="status">{t('money.toBank')}</span>}
        </div>
      )}
      <ErrorNote error={pay.error} />
    </section>
  );
}
