import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from '../../shared/router.js';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { api, call } from '../api/client.js';
import type { ScreenProps } from '../screens.js';
import { rub } from './format.js';

/**
 * Where the acquiring bank sends the consumer back. The bank's SuccessURL/FailURL is the front's
 * /api/payments/orders/{id}/return; a browser arriving there is redirected here (cabinet-front/src/web),
 * and this page asks the same route as JSON — the state comes from the bank, never from the URL —
 * polling until the order is final. Part B's payment screens may replace it.
 */
const FINAL = new Set(['paid', 'declined', 'canceled', 'failed', 'booked', 'booking_refused']);

export function PaymentReturnScreen({ params }: ScreenProps) {
  const { t } = useTranslation();
  const order = useQuery({
    queryKey: ['payment-return', params.orderId],
    queryFn: () => call(api.GET('/api/payments/orders/{orderId}/return', { params: { path: { orderId: params.orderId! } } })),
    refetchInterval: (q) => (q.state.data && FINAL.has(q.state.data.status) ? false : 2000),
  });
  return (
    <section>
      <h1>{t('payReturn.title')}</h1>
      <ErrorNote error={order.error} />
      {order.data && (
        <div className="card" role="status" data-testid="payment-status">
          <p>
            {t('payReturn.amount')}: <strong>{rub(order.data.amount)}</strong>
          </p>
          <p className={`status status-${order.data.status}`}>{t(`payReturn.status.${order.data.status}`)}</p>
        </div>
      )}
      <p>
        <Link to="/">{t('app.toHome')}</Link>
      </p>
    </section>
  );
}
