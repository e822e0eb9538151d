import { useQueries, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from '../../shared/router.js';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { api, call } from '../api/client.js';
import { date, month, number, rub } from '../shell/format.js';

const OPEN_APPLICATION = new Set(['draft', 'submitted', 'in_review', 'needs_info', 'contract_issued']);

/**
 * The home page at a glance: debt and due date per consumer, the last readings and billing's verdict,
 * open requests and applications, documents awaiting the consumer's signature, latest invoices. Each
 * panel reads its own GET, so one slow answer does not hold the others.
 */
export function HomeScreen() {
  const { t } = useTranslation();
  const summary = useQuery({ queryKey: ['summary'], queryFn: () => call(api.GET('/api/summary')) });
  const linked = (summary.data?.consumers.length ?? 0) > 0;
  const readings = useQuery({
    queryKey: ['readings', 'home'],
    queryFn: () => call(api.GET('/api/readings', { params: { query: { limit: 5, offset: 0 } } })),
    enabled: linked,
    refetchInterval: (q) => (q.state.data?.items.some((r) => r.status === 'sent') ? 3000 : false),
  });
  const requests = useQuery({ queryKey: ['requests', 'home'], queryFn: () => call(api.GET('/api/requests', { params: { query: { limit: 50, offset: 0 } } })) });
  const applications = useQuery({ queryKey: ['applications', 'home'], queryFn: () => call(api.GET('/api/applications', { params: { query: { limit: 50, offset: 0 } } })) });
  const issued = applications.data?.items.filter((a) => a.status === 'contract_issued') ?? [];
  const details = useQueries({
    queries: issued.slice(0, 10).map((a) => ({ queryKey: ['application', a.id], queryFn: () => call(api.GET('/api/applications/{applicationId}', { params: { path: { applicationId: a.id } } })) })),
  });
  const toSign = details.flatMap((d) => d.data?.documents.filter((doc) => doc.status === 'issued') ?? []);
  const openRequests = requests.data?.items.filter((r) => r.status !== 'closed') ?? [];
  const openApplications = applications.data?.items.filter((a) => OPEN_APPLICATION.has(a.status)) ?? [];
  const s = summary.data;

  return (
    <section>
      <h1>{t('home.title')}</h1>
      <ErrorNote error={summary.error} />
      {s && !linked && (
        <div className="card">
          <p>{t('home.noContracts')}</p>
          <Link to="/contracts/link" className="button primary">
            {t('home.linkContract')}
          </Link>
        </div>
      )}
      <div className="tiles">
        {s?.consumers.map((c) => (
          <article key={c.consumerRef} className="card tile" aria-labelledby={`consumer-${c.consumerRef}`}>
            <h2 id={`consumer-${c.consumerRef}`}>{c.name ?? c.consumerRef}</h2>
            <p className="big" data-testid="debt">
              {BigInt(c.debt) > 0n ? t('home.debt', { amount: rub(c.debt) }) : t('home.noDebt')}
            </p>
            {c.nextDueOn && <p>{t('home.dueOn', { date: date(c.nextDueOn) })}</p>}
            <p className="hint">
              <Link to="/contracts">{t('home.contracts', { count: c.contracts })}</Link>
            </p>
          </article>
        ))}
        {linked && (
          <article className="card tile" aria-labelledby="home-readings">
            <h2 id="home-readings">{t('home.readings')}</h2>
            <ErrorNote error={readings.error} />
            {readings.data?.items.length === 0 && <p className="hint">{t('home.noReadings')}</p>}
            <ul className="plain">
              {readings.data?.items.map((r) => (
                <li key={r.id}>
                  {date(r.date)} · {r.zone} · <strong>{number(r.value, 4)}</strong> — <span className={`status status-${r.status}`}>{t(`readings.status.${r.status}`)}</span>
                  {r.status === 'rejected' && r.reasonText && <span className="hint"> ({t(`readings.reason.${r.reasonCode ?? ''}`, { defaultValue: r.reasonText })})</span>}
                </li>
              ))}
            </ul>
            <Link to="/readings">{t('home.enterReadings')}</Link>
          </article>
        )}
        {toSign.length > 0 && (
          <article className="card tile" aria-labelledby="home-sign">
            <h2 id="home-sign">{t('home.toSign')}</h2>
            <ul className="plain">
              {toSign.map((d) => (
                <li key={d.id}>
                  {/* An agreement to a contract in force belongs to no application: its own page. */}
                  <Link to={d.applicationId ? `/applications/${encodeURIComponent(d.applicationId)}` : `/documents/${encodeURIComponent(d.id)}`}>{d.title}</Link>
                </li>
              ))}
            </ul>
          </article>
        )}
        <article className="card tile" aria-labelledby="home-requests">
          <h2 id="home-requests">{t('home.requests')}</h2>
          <ErrorNote error={requests.error ?? applications.error} />
          {requests.isSuccess && applications.isSuccess && openRequests.length + openApplications.length === 0 && <p className="hint">{t('home.noRequests')}</p>}
          <ul className="plain">
            {openRequests.slice(0, 5).map((r) => (
              <li key={r.id}>
                <Link to={`/requests/${encodeURIComponent(r.id)}`}>{r.subject}</Link> — <span className={`status status-${r.status}`}>{t(`home.requestStatus.${r.status}`)}</span>
              </li>
            ))}
            {openApplications.slice(0, 5).map((a) => (
              <li key={a.id}>
                <Link to={`/applications/${encodeURIComponent(a.id)}`}>{t('home.application', { address: a.objectAddress })}</Link> — <span className={`status status-${a.status}`}>{t(`home.applicationStatus.${a.status}`)}</span>
              </li>
            ))}
          </ul>
        </article>
        {s && s.latestInvoices.length > 0 && (
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
        {s && (s.pendingLinks > 0 || s.readingsAwaitingBilling > 0) && (
          <article className="card tile" aria-labelledby="home-waiting">
            <h2 id="home-waiting">{t('home.waiting')}</h2>
            <ul className="plain">
              {s.pendingLinks > 0 && (
                <li>
                  <Link to="/contracts/link">{t('home.pendingLinks', { count: s.pendingLinks })}</Link>
                </li>
              )}
              {s.readingsAwaitingBilling > 0 && <li>{t('home.readingsAwaiting', { count: s.readingsAwaitingBilling })}</li>}
            </ul>
          </article>
        )}
      </div>
    </section>
  );
}
