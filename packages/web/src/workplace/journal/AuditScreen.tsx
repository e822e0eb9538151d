import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, call } from '../../shared/api/client.js';
import { dateTime } from '../../shared/format.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';
import { KeysetPager } from '../../shared/ui/Pager.js';
import { useSession } from '../session.js';

/** The audit journal: an operator sees their own actions; a manager or admin may look at anyone's. */
export function AuditScreen() {
  const { t } = useTranslation();
  const { can } = useSession();
  const seesAll = can('manager', 'admin');
  const [filter, setFilter] = useState({ action: '', actor: '', mine: !seesAll });
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const page = useQuery({
    queryKey: ['audit', filter, cursor],
    placeholderData: keepPreviousData,
    queryFn: () =>
      call(
        api.GET('/api/staff/audit', {
          params: { query: { limit: 50, mine: filter.mine, ...(filter.action ? { action: filter.action } : {}), ...(filter.actor && !filter.mine ? { actor: filter.actor } : {}), ...(cursor ? { cursor } : {}) } },
        }),
      ),
  });
  const change = (next: Partial<typeof filter>) => {
    setFilter({ ...filter, ...next });
    setCursors([]);
  };
  return (
    <section>
      <h1>{seesAll ? t('audit.titleAll') : t('audit.title')}</h1>
      <form className="inline" role="search" onSubmit={(e) => e.preventDefault()}>
        <Field label={t('audit.action')} hint={t('audit.actionHint')}>
          <input name="action" value={filter.action} onChange={(e) => change({ action: e.target.value.trim() })} />
        </Field>
        {seesAll && (
          <>
            <label className="check">
              <input type="checkbox" checked={filter.mine} onChange={(e) => change({ mine: e.target.checked })} />
              {t('audit.mine')}
            </label>
            {!filter.mine && (
              <Field label={t('audit.actor')}>
                <input name="actor" value={filter.actor} onChange={(e) => change({ actor: e.target.value.trim() })} />
              </Field>
            )}
          </>
        )}
      </form>
      <ErrorNote error={page.error} />
      <DataTable
        caption={t('audit.title')}
        rows={page.data?.items}
        loading={page.isFetching}
        rowKey={(r) => r.id}
        columns={[
          { key: 'at', title: t('audit.at'), render: (r) => dateTime(r.at) },
          { key: 'actor', title: t('audit.actor'), render: (r) => r.actor ?? '—' },
          { key: 'action', title: t('audit.action'), render: (r) => t(`actions.${r.action}`, { defaultValue: r.action }) },
          { key: 'outcome', title: t('audit.outcome'), render: (r) => t(`audit.outcomes.${r.outcome}`) },
          { key: 'target', title: t('audit.target'), render: (r) => (r.targetType ? `${r.targetType} ${r.targetId ?? ''}` : '—') },
        ]}
      />
      <KeysetPager cursors={cursors} nextCursor={page.data?.nextCursor} onChange={setCursors} />
    </section>
  );
}
