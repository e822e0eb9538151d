import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, call } from '../../shared/api/client.js';
import { dateTime, dayStart, nextDayStart, today } from '../../shared/format.js';
import { useRouter } from '../../shared/router.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Field, Progress } from '../../shared/ui/Feedback.js';
import { OffsetPager } from '../../shared/ui/Pager.js';
import { useSession } from '../session.js';

const KINDS = ['account_statement', 'money_movement', 'purchase_diary', 'operations_journal', 'merchant_turnover', 'balances_summary'] as const;
type Kind = (typeof KINDS)[number];
const CLIENT_DOCUMENTS = new Set<Kind>(['account_statement', 'money_movement']);
const LIMIT = 20;

/** Ask for a report for any period as PDF or Excel; it is built in the background, with progress, then downloaded. */
export function ReportsScreen() {
  const { t, i18n } = useTranslation();
  const { can } = useSession();
  const { search } = useRouter();
  const client = useQueryClient();
  const allowed = KINDS.filter((k) => CLIENT_DOCUMENTS.has(k) || can('settlement'));
  const first = (search.get('kind') as Kind | null) ?? allowed[0]!;
  const monthAgo = new Date(Date.now() - 30 * 86_400_000).toLocaleDateString('sv-SE');
  const [form, setForm] = useState({ kind: first, format: 'pdf' as 'pdf' | 'xlsx', from: monthAgo, to: today(), accountId: search.get('accountId') ?? '', clientId: search.get('clientId') ?? '' });
  const [offset, setOffset] = useState(0);
  const jobs = useQuery({
    queryKey: ['reports', offset],
    placeholderData: keepPreviousData,
    queryFn: () => call(api.GET('/api/staff/reports', { params: { query: { limit: LIMIT, offset } } })),
    // Poll while any report is being built: its progress moves.
    refetchInterval: (q) => (q.state.data?.items.some((j) => j.status === 'queued' || j.status === 'running') ? 1000 : false),
  });
  const ask = useMutation({
    mutationFn: () =>
      call(
        api.POST('/api/staff/reports', {
          body: {
            kind: form.kind,
            format: form.format,
            from: dayStart(form.from),
            to: nextDayStart(form.to),
            lang: i18n.language === 'en' ? 'en' : 'ru',
            ...(form.kind === 'account_statement' ? { accountId: form.accountId } : {}),
            ...(form.kind === 'money_movement' ? { clientId: form.clientId } : {}),
          },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ['reports'] }),
  });
  return (
    <section>
      <h1>{t('reports.title')}</h1>
      <form
        className="panel grid"
        aria-label={t('reports.ask')}
        onSubmit={(e) => {
          e.preventDefault();
          ask.mutate();
        }}
      >
        <Field label={t('reports.kind')}>
          <select name="kind" value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value as Kind })}>
            {allowed.map((k) => (
              <option key={k} value={k}>
                {t(`reports.kinds.${k}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('reports.format')}>
          <select name="format" value={form.format} onChange={(e) => setForm({ ...form, format: e.target.value as 'pdf' | 'xlsx' })}>
            <option value="pdf">PDF</option>
            <option value="xlsx">Excel</option>
          </select>
        </Field>
        <Field label={t('common.from')}>
          <input type="date" name="from" required value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
        </Field>
        <Field label={t('common.to')}>
          <input type="date" name="to" required value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
        </Field>
        {form.kind === 'account_statement' && (
          <Field label={t('reports.accountId')}>
            <input name="accountId" required value={form.accountId} onChange={(e) => setForm({ ...form, accountId: e.target.value })} />
          </Field>
        )}
        {form.kind === 'money_movement' && (
          <Field label={t('reports.clientId')}>
            <input name="clientId" required value={form.clientId} onChange={(e) => setForm({ ...form, clientId: e.target.value })} />
          </Field>
        )}
        <button type="submit" disabled={ask.isPending}>
          {t('reports.ask')}
        </button>
      </form>
      <ErrorNote error={ask.error ?? jobs.error} />
      <DataTable
        caption={t('reports.jobs')}
        rows={jobs.data?.items}
        rowKey={(j) => j.id}
        columns={[
          { key: 'kind', title: t('reports.kind'), render: (j) => t(`reports.kinds.${j.kind}`) },
          { key: 'format', title: t('reports.format'), render: (j) => j.format.toUpperCase() },
          { key: 'at', title: t('common.created'), render: (j) => dateTime(j.createdAt) },
          {
            key: 'status',
            title: t('common.status'),
            render: (j) =>
              j.status === 'running' || j.status === 'queued' ? (
                <Progress value={j.status === 'queued' ? null : j.progress} label={t(`reports.statuses.${j.status}`)} />
              ) : j.status === 'failed' ? (
                `${t('reports.statuses.failed')}: ${t(`errors.${j.error?.code}`, { defaultValue: j.error?.message ?? '' })}`
              ) : (
                t('reports.statuses.done')
              ),
          },
          {
            key: 'file',
            title: t('common.download'),
            render: (j) =>
              j.status === 'done' ? (
                <a href={`/api/staff/reports/${j.id}/file`} download={j.fileName ?? undefined}>
                  {j.fileName}
                </a>
              ) : null,
          },
        ]}
      />
      <OffsetPager offset={offset} limit={LIMIT} total={jobs.data?.total} count={jobs.data?.items.length ?? 0} onChange={setOffset} />
    </section>
  );
}
