import '../requests/areas.css';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from '../../shared/router.js';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { api, call } from '../api/client.js';
import type { ScreenProps } from '../screens.js';
import { dateTimeOf } from '../requests/format.js';
import { rub } from '../shell/format.js';
import { moneyQuery } from './contracts.js';

const FINAL = new Set(['declined', 'canceled', 'failed', 'booked', 'booking_refused']);
const GOOD = new Set(['paid', 'booked']);

/**
 * A card payment after the bank's page: the bank sends the payer here (SuccessURL and FailURL), and
 * the page asks the front, which asks the bank (GetState) — the address itself proves nothing. It asks
 * again until billing has booked the payment or the bank has said no, and shows which.
 */
export function PaymentOrderScreen({ params }: ScreenProps) {
  const { t } = useTranslation();
  const orderId = params.orderId!;
  const order = useQuery({
    queryKey: ['payment-order', orderId],
    queryFn: () => call(api.GET('/api/payments/orders/{orderId}/return', { params: { path: { orderId } } })),
    refetchInterval: (q) => (q.state.data && FINAL.has(q.state.data.status) ? false : 2000),
  });
  const o = order.data;
  const good = o && GOOD.has(o.status);
  const bad = o && FINAL.has(o.status) && !good;
  return (
    <section>
      <h1>{t('money.orderTitle')}</h1>
      <ErrorNote error={order.error} />
      {!o && !order.error && <p role="status">{t('money.asking')}</p>}
      {o && (
        <div className={`card verdict ${good ? 'verdict-ok' : bad ? 'verdict-bad' : ''}`} role={bad ? 'alert' : 'status'} data-testid="payment-result" data-status={o.status}>
          <p className="big">{t(`money.order.${o.status}`)}</p>
          <dl className="facts">
            <dt>{t('money.sum')}</dt>
            <dd>{rub(o.amount)}</dd>
            <dt>{t('money.what')}</dt>
            <dd>{o.invoiceIds.length ? t('money.forInvoices', { count: o.invoiceIds.length }) : t('money.forDebt')}</dd>
            {o.cardPan && (
              <>
                <dt>{t('money.card4')}</dt>
                <dd>{o.cardPan}</dd>
              </>
            )}
            {o.paidAt && (
              <>
                <dt>{t('money.paidAt')}</dt>
                <dd>{dateTimeOf(o.paidAt)}</dd>
              </>
            )}
            {o.failure && bad && (
              <>
                <dt>{t('money.reason')}</dt>
                <dd data-testid="payment-failure">{t(`money.failure.${o.failure.code}`, { defaultValue: o.failure.message ?? o.failure.code })}</dd>
              </>
            )}
          </dl>
          {!FINAL.has(o.status) && <p className="hint">{o.status === 'paid' ? t('money.waitBilling') : t('money.waitBank')}</p>}
        </div>
      )}
      <p className="row">
        {o && <Link to={`/money${moneyQuery(o.contractId)}`}>{t('money.backToMoney')}</Link>}
        {o?.paymentUrl && bad === false && o.status === 'pending' && (
          <a href={o.paymentUrl} className="button">
            {t('money.toBankAgain')}
          </a>
        )}
      </p>
    </section>
  );
}
