import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, call } from '../../shared/api/client.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Field, Progress } from '../../shared/ui/Feedback.js';
import { OffsetPager } from '../../shared/ui/Pager.js';
import { useSession } from '../session.js';

const BUSY = new Set(['received', 'applying', 'scheduled']);
const LINE_STATUSES = ['valid', 'invalid', 'applied', 'failed', 'skipped', 'deferred'] as const;
type LineStatus = (typeof LINE_STATUSES)[number];
const LIMIT = 50;

/** One registry: preview of its lines with per-line results, apply (settlement), progress while it runs. */
export function RegistryScreen({ params }: { params: Record<string, string> }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const client = useQueryClient();
  const id = params.id!;
  const [status, setStatus] = useState<LineStatus | ''>('');
  const [offset, setOffset] = useState(0);
  const registry = useQuery({
    queryKey: ['registry', id],
    queryFn: () => call(api.GET('/api/staff/registries/{id}', { params: { path: { id } } })),
    // While the server reads or applies the file, the counters move: poll them.
    refetchInterval: (q) => (q.state.data && BUSY.has(q.state.data.status) ? 1000 : false),
  });
  const lines = useQuery({
    queryKey: ['registry-lines', id, status, offset, registry.data?.status, registry.data?.lines.applied],
    placeholderData: keepPreviousData,
    queryFn: () => call(api.GET('/api/staff/registries/{id}/lines', { params: { path: { id }, query: { limit: LIMIT, offset, ...(status ? { status } : {}) } } })),
  });
  const apply = useMutation({
    mutationFn: () => call(api.POST('/api/staff/registries/{id}/apply', { params: { path: { id }, query: { force: false } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['registry', id] }),
  });
  if (registry.error) return <ErrorNote error={registry.error} />;
  const r = registry.data;
  if (!r) return <p>{t('common.loading')}</p>;
  const done = r.lines.applied + r.lines.failed + r.lines.skipped + r.lines.deferred;
  const valid = r.lines.total - r.lines.invalid;
  return (
    <section>
      <h1>{t('registries.heading', { number: r.number, kind: t(`registries.kinds.${r.kind}`) })}</h1>
      <p>
        {t('common.status')}: <strong data-testid="registry-status">{t(`registries.statuses.${r.status}`)}</strong> · {t('registries.counts', r.lines)}
      </p>
      {r.error && <ErrorNote error={{ message: `${r.error.code}: ${r.error.message}` }} />}
      {BUSY.has(r.status) && <Progress value={valid > 0 ? Math.round((done / valid) * 100) : null} label={t('registries.applying')} />}
      {r.status === 'validated' && can('settlement') && (
        <button type="button" disabled={apply.isPending} onClick={() => apply.mutate()}>
          {t('registries.apply', { n: valid })}
        </button>
      )}
      <ErrorNote error={apply.error ?? lines.error} />
      <form className="inline" onSubmit={(e) => e.preventDefault()}>
        <Field label={t('registries.lineStatus')}>
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as LineStatus | '');
              setOffset(0);
            }}
          >
            <option value="">{t('common.all')}</option>
            {LINE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`registries.lineStatuses.${s}`)}
              </option>
            ))}
          </select>
        </Field>
      </form>
      <DataTable
        caption={t('registries.lines')}
        rows={lines.data?.items}
        loading={lines.isFetching}
        rowKey={(l) => String(l.lineNo)}
        columns={[
          { key: 'no', title: '№', render: (l) => l.lineNo },
          { key: 'action', title: t('registries.action'), render: (l) => l.action ?? '—' },
          { key: 'data', title: t('registries.data'), render: (l) => <code className="wrap">{Object.entries(l.data).map(([k, v]) => `${k}=${String(v)}`).join('; ')}</code> },
          { key: 'status', title: t('common.status'), render: (l) => t(`registries.lineStatuses.${l.status}`) },
          { key: 'error', title: t('registries.result'), render: (l) => (l.error ? t(`errors.${l.error.code}`, { defaultValue: l.error.message }) : '—') },
        ]}
      />
      <OffsetPager offset={offset} limit={LIMIT} total={lines.data?.total} count={lines.data?.items.length ?? 0} onChange={setOffset} />
    </section>
  );
}
