import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from '../../shared/router.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { api, call } from '../api/client.js';
import { date } from '../shell/format.js';
import { Status } from '../shell/Page.js';

/** The consumer's contracts; linking another one starts here. */
export function ContractsScreen() {
  const { t } = useTranslation();
  const contracts = useQuery({ queryKey: ['contracts'], queryFn: () => call(api.GET('/api/contracts', { params: { query: { limit: 100, offset: 0 } } })) });
  return (
    <section>
      <div className="row spread">
        <h1>{t('nav.contracts')}</h1>
        <Link to="/contracts/link" className="button primary">
          {t('contracts.link')}
        </Link>
      </div>
      <ErrorNote error={contracts.error} />
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
