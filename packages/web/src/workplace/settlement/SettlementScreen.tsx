import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, call } from '../../shared/api/client.js';
import { dateTime, dayStart, money, nextDayStart } from '../../shared/format.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';
import { OffsetPager } from '../../shared/ui/Pager.js';

const LIMIT = 25;

/** Settlement registries per merchant for a period: make one, download it as CSV or Excel. */
export function SettlementScreen() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [offset, setOffset] = useState(0);
  const [form, setForm] = useState({ partyId: '', from: '', to: '' });
  const list = useQuery({ queryKey: ['settlement', offset], placeholderData: keepPreviousData, queryFn: () => call(api.GET('/api/staff/settlement/registries', { params: { query: { limit: LIMIT, offset } } })) });
  const merchants = useQuery({ queryKey: ['merchants-all'], queryFn: () => call(api.GET('/api/staff/merchants', { params: { query: { limit: 200, offset: 0 } } })) });
  const make = useMutation({
    mutationFn: () => call(api.POST('/api/staff/settlement/registries', { body: { kind: 'merchant', partyId: form.partyId, from: dayStart(form.from), to: nextDayStart(form.to) } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['settlement'] }),
  });
  return (
    <section>
      <h1>{t('settlement.title')}</h1>
      <form
        className="panel inline"
        aria-label={t('settlement.make')}
        onSubmit={(e) => {
          e.preventDefault();
          make.mutate();
        }}
      >
        <Field label={t('operation.merchant')}>
          <select name="merchant" required value={form.partyId} onChange={(e) => setForm({ ...form, partyId: e.target.value })}>
            <option value="">—</option>
            {merchants.data?.items.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('common.from')}>
          <input type="date" name="from" required value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
        </Field>
        <Field label={t('common.to')}>
          <input type="date" name="to" required value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
        </Field>
        <button type="submit" disabled={make.isPending}>
          {t('settlement.make')}
        </button>
      </form>
      <ErrorNote error={make.error ?? list.error} />
      <DataTable
        caption={t('settlement.title')}
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(r) => r.id}
        columns={[
          { key: 'party', title: t('operation.merchant'), render: (r) => r.partyName },
          { key: 'period', title: t('common.period'), render: (r) => `${dateTime(r.from)} — ${dateTime(r.to)}` },
          { key: 'lines', title: t('settlement.operations'), numeric: true, render: (r) => r.operationCount },
          { key: 'net', title: t('settlement.net'), numeric: true, render: (r) => money(r.net) },
          {
            key: 'files',
            title: t('common.download'),
            render: (r) => (
              <span className="row">
                <a href={`/api/staff/settlement/registries/${r.id}/csv`}>CSV</a>
                <a href={`/api/staff/settlement/registries/${r.id}/xlsx`}>Excel</a>
              </span>
            ),
          },
        ]}
      />
      <OffsetPager offset={offset} limit={LIMIT} total={list.data?.total} count={list.data?.items.length ?? 0} onChange={setOffset} />
    </section>
  );
}
