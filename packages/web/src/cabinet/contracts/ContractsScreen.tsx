import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from '../../shared/router.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Notice } from '../../shared/ui/Feedback.js';
import { api, call } from '../api/client.js';
import { date } from '../shell/format.js';
import { Status } from '../shell/Page.js';

/** How long after a link was accepted the list keeps asking for its contract (billing's data follows the acceptance). */
const ARRIVAL_WAIT_MS = 15 * 60_000;

/**
 * The consumer's contracts; linking another one starts here. A link is accepted before the contract's
 * data (the back's snapshot from billing) has reached the front, so while a contract linked in the last
 * minutes is not listed yet the screen says so and asks again until it is there.
 */
export function ContractsScreen() {
  const { t } = useTranslation();
  // Same query as the link screen's (key and parameters), so the two share what they know.
  const links = useQuery({ queryKey: ['links'], queryFn: () => call(api.GET('/api/links', { params: { query: { limit: 20, offset: 0 } } })) });
  const arriving = (listed: string[] | undefined) =>
    (links.data?.items ?? []).filter((l) => l.status === 'accepted' && l.decidedAt && Date.now() - Date.parse(l.decidedAt) < ARRIVAL_WAIT_MS && !(listed ?? []).includes(l.contractNumber)).map((l) => l.contractNumber);
  const contracts = useQuery({
    queryKey: ['contracts'],
    queryFn: () => call(api.GET('/api/contracts', { params: { query: { limit: 100, offset: 0 } } })),
    refetchInterval: (q) => (q.state.data && arriving(q.state.data.items.map((c) => c.number)).length > 0 ? 2000 : false),
  });
  const waiting = contracts.data ? [...new Set(arriving(contracts.data.items.map((c) => c.number)))] : [];
  return (
    <section>
      <div className="row spread">
        <h1>{t('nav.contracts')}</h1>
        <Link to="/contracts/link" className="button primary">
          {t('contracts.link')}
        </Link>
      </div>
      <ErrorNote error={contracts.error} />
      {waiting.length > 0 && <Notice>{t('contracts.arriving', { numbers: waiting.join(', ')})}</Notice>}
      <DataTable
        caption={t('nav.contracts')}
        rows={contracts.data?.items}
        rowKey={(c) => c.id}
        columns={[
          { key: 'number', title: t('contracts.number'), render: (c) => <Link to={`/contracts/${encodeURIComponent(c.id)}`}>{c.number}</Link> },
          { key: 'status', title: t('common.status'), render: (c) => <Status group="contracts.status" value={c.status} /> },
          { key: 'started', title: t('contracts.startedOn'), render: (c) => date(c.startedOn) },
          { key: 'ended', title: t('contracts.endedOn'), render: (c) => date(c.endedOn) },
          { key: 'window', title: t('contracts.readingWindow'), render: (c) => t('contracts.window', { from: c.readingWindow.fromDay, to: c.readingWindow.toDay }) },
        ]}
      />
    </section>
  );
}
