import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from '../../shared/router.js';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { api, call } from '../api/client.js';
import { date, month, rub } from '../shell/format.js';

/** The home page at a glance: debt and due date per consumer, readings in flight, latest invoices. */
export function HomeScreen() {
  const { t } = useTranslation();
  const summary = useQuery({ queryKey: ['summary'], queryFn: () => call(api.GET('/api/summary')) });
  const s = summary.data;
  return (
    <section>
      <h1>{t('home.title')}</h1>
      <ErrorNote error={summary.error} />
      {s && s.consumers.length === 0 && (
        <div className="card">
          <p>{t('home.noContracts')}</p>
          <Link to="/contracts/link" className="button">
            {t('home.linkContract')}
          </Link>
        </div>
      )}
      {s && (
        <div className="tiles">
          {s.consumers.map((c) => (
            <article key={c.consumerRef} className="card tile" aria-labelledby={`consumer-${c.consumerRef}`}>
              <h2 id={`consumer-${c.consumerRef}`}>{c.name ?? c.consumerRef}</h2>
              <p className="big" data-testid="debt">
                {BigInt(c.debt) > 0n ? t('home.debt', { amount: rub(c.debt) }) : t('home.noDebt')}
              </p>
              {c.nextDueOn && <p>{t('home.dueOn', { date: date(c.nextDueOn) })}</p>}
              <p className="hint">{t('home.contracts', { count: c.contracts })}</p>
            </article>
          ))}
          {s.latestInvoices.length > 0 && (
            <article className="card tile" aria-labelledby="home-invoices">
              <h2 id="home-invoices">{t('home.invoices')}</h2>
              <ul className="plain">
                {s.latestInvoices.map((i) => (
                  <li key={i.id}>
                    {i.number} · {month(i.period)} · <strong>{rub(i.amount)}</strong>
                    {i.dueOn && <span className="hint"> · {t('home.dueOn', { date: date(i.dueOn) })}</span>}
                  </li>
                ))}
              </ul>
            </article>
          )}
          {(s.pendingLinks > 0 || s.readingsAwaitingBilling > 0) && (
            <article className="card tile" aria-labelledby="home-waiting">
              <h2 id="home-waiting">{t('home.waiting')}</h2>
              <ul className="plain">
                {s.pendingLinks > 0 && <li>{t('home.pendingLinks', { count: s.pendingLinks })}</li>}
                {s.readingsAwaitingBilling > 0 && <li>{t('home.readingsAwaiting', { count: s.readingsAwaitingBilling })}</li>}
              </ul>
            </article>
          )}
        </div>
      )}
    </section>
  );
}
