import '../requests/areas.css';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from '../../shared/router.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';
import { api, call } from '../api/client.js';
import { date, month, rub } from '../shell/format.js';
import { ContractPicker, moneyQuery, useContractChoice } from './contracts.js';
import { NoRight, useRight } from '../security/rights.js';
import { newKey, startPayment } from './pay.js';

/**
 * Money of a contract: the debt and when it is due, paying it (all or part) by card, and the account
 * card — per month the opening balance, charges, payments and the closing balance.
 */
export function MoneyScreen() {
  const { t } = useTranslation();
  const choice = useContractChoice();
  const contractId = choice.contract?.id;
  const account = useQuery({
    queryKey: ['account', contractId],
    enabled: Boolean(contractId),
    queryFn: () => call(api.GET('/api/contracts/{contractId}/account', { params: { path: { contractId: contractId! }, query: {} } })),
  });
  const [amount, setAmount] = useState('');
  const [key, setKey] = useState(newKey);
  const pay = useMutation({ mutationFn: () => startPayment({ contractId: contractId!, ...(amount ? { amount: toKopecks(amount) ?? '0' } : {}) }, key), onError: () => setKey(newKey()) });
  const a = account.data;
  const canPay = useRight(choice.contract?.consumerRef, 'pay');
  const debt = a ? BigInt(a.debt) : 0n;
  const badAmount = amount !== '' && toKopecks(amount) === null;
  return (
    <section>
      <h1>{t('money.title')}</h1>
      <nav className="tabs" aria-label={t('money.sections')}>
        <Link to={`/money${moneyQuery(contractId)}`} aria-current="page">{t('money.account')}</Link>
        <Link to={`/money/invoices${moneyQuery(contractId)}`}>{t('money.invoices')}</Link>
        <Link to={`/money/payments${moneyQuery(contractId)}`}>{t('money.payments')}</Link>
      </nav>
      <ErrorNote error={choice.contracts.error ?? account.error} />
      {choice.contracts.data && choice.items.length === 0 && <p>{t('money.noContracts')}</p>}
      <ContractPicker choice={choice} />
      {a && (
        <>
          <div className="card">
            <p className="big" data-testid="debt">
              {debt > 0n ? t('money.debt', { amount: rub(a.debt) }) : debt < 0n ? t('money.advance', { amount: rub((-debt).toString()) }) : t('money.noDebt')}
            </p>
            {a.dueOn && <p>{t('money.dueOn', { date: date(a.dueOn) })}</p>}
            {a.asOf && <p className="hint">{t('money.asOf', { date: date(a.asOf) })}</p>}
            {debt > 0n && canPay === false && <NoRight right="pay" />}
            {debt > 0n && canPay && (
              <form
                className="inline"
                aria-label={t('money.payDebt')}
                onSubmit={(e) => {
                  e.preventDefault();
                  if (!badAmount) pay.mutate();
                }}
              >
                <Field label={t('money.amount')} hint={t('money.amountHint', { amount: rub(a.debt) })}>
                  <input name="amount" inputMode="decimal" value={amount} aria-invalid={badAmount} onChange={(e) => setAmount(e.target.value)} />
                </Field>
                <button type="submit" disabled={pay.isPending || badAmount}>
                  {t('money.payByCard')}
                </button>
                {pay.isPending && <span role="status">{t('money.toBank')}</span>}
              </form>
            )}
            <ErrorNote error={pay.error} />
          </div>
          <h2>{t('money.card')}</h2>
          <DataTable
            caption={t('money.card')}
            rows={[...a.months].reverse()}
            rowKey={(m) => m.month}
            columns={[
              { key: 'month', title: t('money.month'), render: (m) => month(m.month) },
              { key: 'opening', title: t('money.opening'), numeric: true, render: (m) => rub(m.opening) },
              { key: 'charged', title: t('money.charged'), numeric: true, render: (m) => rub(m.charged) },
              { key: 'paid', title: t('money.paid'), numeric: true, render: (m) => rub(m.paid) },
              { key: 'closing', title: t('money.closing'), numeric: true, render: (m) => rub(m.closing) },
              { key: 'kwh', title: t('money.kwh'), numeric: true, render: (m) => m.kwh },
            ]}
          />
        </>
      )}
    </section>
  );
}

/** "1 234,5" roubles → "123450" kopecks; null when it is not an amount. */
export function toKopecks(text: string): string | null {
  const clean = text.replace(/[\s\u00a0]/g, '').replace(',', '.');
  if (!/^\d{1,13}(\.\d{1,2})?$/.test(clean)) return null;
  const [whole, frac = ''] = clean.split('.');
  const kopecks = BigInt(whole!) * 100n + BigInt(frac.padEnd(2, '0'));
  return kopecks > 0n ? kopecks.toString() : null;
}
