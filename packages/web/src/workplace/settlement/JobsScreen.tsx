import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, call } from '../../shared/api/client.js';
import { dateTime } from '../../shared/format.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { OffsetPager } from '../../shared/ui/Pager.js';
import { useSession } from '../session.js';

const LIMIT = 25;

/** Scheduled jobs with their last runs and the run history; a manager may run one now. */
export function JobsScreen() {
  const { t } = useTranslation();
  const { can } = useSession();
  const client = useQueryClient();
  const [offset, setOffset] = useState(0);
  const jobs = useQuery({ queryKey: ['jobs'], queryFn: () => call(api.GET('/api/staff/jobs')) });
  const runs = useQuery({ queryKey: ['job-runs', offset], placeholderData: keepPreviousData, refetchInterval: 5000, queryFn: () => call(api.GET('/api/staff/jobs/runs', { params: { query: { limit: LIMIT, offset } } })) });
  const run = useMutation({
    mutationFn: (name: string) => call(api.POST('/api/staff/jobs/{name}/runs', { params: { path: { name } }, body: {} })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['job-runs'] }),
  });
  return (
    <section>
      <h1>{t('jobs.title')}</h1>
      <ErrorNote error={jobs.error ?? run.error} />
      <DataTable
        caption={t('jobs.title')}
        rows={jobs.data?.items}
        rowKey={(j) => j.name}
        columns={[
          { key: 'name', title: t('jobs.name'), render: (j) => <code>{j.name}</code> },
          { key: 'description', title: t('jobs.description'), render: (j) => j.description ?? '—' },
          { key: 'last', title: t('jobs.lastRun'), render: (j) => (j.lastRun ? `${dateTime(j.lastRun.scheduledFor)} · ${t(`jobs.statuses.${j.lastRun.status}`, { defaultValue: j.lastRun.status })}` : '—') },
          {
            key: 'run',
            title: t('common.actions'),
            render: (j) =>
              can('manager') ? (
                <button type="button" disabled={run.isPending} onClick={() => run.mutate(j.name)}>
                  {t('jobs.runNow')}
                </button>
              ) : null,
          },
        ]}
      />
      <h2>{t('jobs.history')}</h2>
      <DataTable
        caption={t('jobs.history')}
        rows={runs.data?.items}
        loading={runs.isFetching}
        rowKey={(r) => r.id}
        columns={[
          { key: 'job', title: t('jobs.name'), render: (r) => <code>{r.job}</code> },
          { key: 'period', title: t('common.period'), render: (r) => r.periodKey },
          { key: 'trigger', title: t('jobs.trigger'), render: (r) => r.trigger },
          { key: 'status', title: t('common.status'), render: (r) => t(`jobs.statuses.${r.status}`, { defaultValue: r.status }) },
          { key: 'at', title: t('jobs.scheduledFor'), render: (r) => dateTime(r.scheduledFor) },
        ]}
      />
      <OffsetPager offset={offset} limit={LIMIT} total={runs.data?.total} count={runs.data?.items.length ?? 0} onChange={setOffset} />
    </section>
  );
}
