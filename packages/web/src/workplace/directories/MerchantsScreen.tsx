import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, call, json } from '../../shared/api/client.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';
import { OffsetPager } from '../../shared/ui/Pager.js';
import { useSession } from '../session.js';

const LIMIT = 25;

/** The merchant network: read-only below manager; a manager adds merchants and blocks or unblocks them. */
export function MerchantsScreen() {
  const { t } = useTranslation();
  const { can } = useSession();
  const client = useQueryClient();
  const editable = can('manager');
  const [q, setQ] = useState('');
  const [offset, setOffset] = useState(0);
  const list = useQuery({
    queryKey: ['merchants', q, offset],
    placeholderData: keepPreviousData,
    queryFn: () => call(api.GET('/api/staff/merchants', { params: { query: { limit: LIMIT, offset, ...(q ? { q } : {}) } } })),
  });
  const [form, setForm] = useState({ code: '', name: '', products: '' });
  const done = () => client.invalidateQueries({ queryKey: ['merchants'] });
  const create = useMutation({
    mutationFn: () => json('POST', '/api/merchants', { code: form.code, name: form.name, products: form.products.split(/[,\s]+/).filter(Boolean) }),
    onSuccess: () => (setForm({ code: '', name: '', products: '' }), done()),
  });
  const status = useMutation({ mutationFn: (m: { id: string; status: string }) => json('PATCH', `/api/merchants/${m.id}`, { status: m.status === 'active' ? 'blocked' : 'active' }), onSuccess: done });
  return (
    <section>
      <h1>{t('nav.merchants')}</h1>
      {!editable && <p className="hint">{t('common.readOnly')}</p>}
      <form className="inline" role="search" onSubmit={(e) => e.preventDefault()}>
        <Field label={t('common.search')}>
          <input
            type="search"
            value={q}
            onChange={(e) => {
              setQ(e.target.value);
              setOffset(0);
            }}
          />
        </Field>
      </form>
      <ErrorNote error={list.error ?? create.error ?? status.error} />
      <DataTable
        caption={t('nav.merchants')}
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(m) => m.id}
        columns={[
          { key: 'code', title: t('products.code'), render: (m) => <code>{m.code}</code> },
          { key: 'name', title: t('products.name'), render: (m) => m.name },
          { key: 'provider', title: t('merchants.provider'), render: (m) => m.providerName ?? '—' },
          { key: 'products', title: t('merchants.products'), render: (m) => m.products.join(', ') },
          { key: 'status', title: t('common.status'), render: (m) => t(`status.${m.status}`) },
          ...(editable
            ? [
                {
                  key: 'act',
                  title: t('common.actions'),
                  render: (m: { id: string; status: string }) => (
                    <button type="button" onClick={() => status.mutate(m)}>
                      {m.status === 'active' ? t('common.block') : t('common.unblock')}
                    </button>
                  ),
                },
              ]
            : []),
        ]}
      />
      <OffsetPager offset={offset} limit={LIMIT} total={list.data?.total} count={list.data?.items.length ?? 0} onChange={setOffset} />
      {editable && (
        <form
          className="panel inline"
          aria-label={t('merchants.create')}
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Field label={t('products.code')}>
            <input name="code" required value={form.code} onChange={(e) => setForm({ ...form, code: e.target.value })} />
          </Field>
          <Field label={t('products.name')}>
            <input name="name" required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          </Field>
          <Field label={t('merchants.products')} hint={t('merchants.productsHint')}>
            <input name="products" value={form.products} onChange={(e) => setForm({ ...form, products: e.target.value })} />
          </Field>
          <button type="submit">{t('merchants.create')}</button>
        </form>
      )}
    </section>
  );
}
