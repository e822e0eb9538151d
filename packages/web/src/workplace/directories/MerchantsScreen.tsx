import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, call, json } from '../../shared/api/client.js';
import { Field } from '../../shared/ui/Feedback.js';
import { useSession } from '../session.js';
import { DirectoryPage } from './DirectoryPage.js';

const LIMIT = 25;

/** The merchant network: read-only below manager; a manager adds merchants and blocks or unblocks them. */
export function MerchantsScreen() {
  const { t } = useTranslation();
  const { can } = useSession();
  const client = useQueryClient();
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
    <DirectoryPage
      title={t('nav.merchants')}
      editable={can('manager')}
      error={list.error ?? create.error ?? status.error}
      search={{ value: q, onChange: (value) => (setQ(value), setOffset(0)) }}
      rows={list.data?.items}
      loading={list.isFetching}
      rowKey={(m) => m.id}
      columns={[
        { key: 'code', title: t('products.code'), render: (m) => <code>{m.code}</code> },
        { key: 'name', title: t('products.name'), render: (m) => m.name },
        { key: 'provider', title: t('merchants.provider'), render: (m) => m.providerName ?? '—' },
        { key: 'products', title: t('merchants.products'), render: (m) => m.products.join(', ') },
        { key: 'status', title: t('common.status'), render: (m) => t(`status.${m.status}`) },
      ]}
      actions={(m) => (
        <button type="button" onClick={() => status.mutate(m)}>
          {m.status === 'active' ? t('common.block') : t('common.unblock')}
        </button>
      )}
      pager={{ offset, limit: LIMIT, total: list.data?.total, onChange: setOffset }}
      create={{
        label: t('merchants.create'),
        onSubmit: () => create.mutate(),
        fields: (
          <>
            <Field label={t('products.code')}>
              <input name="code" required value={form.code} onChange={(e) => setForm({ ...form, code: e.target.value })} />
            </Field>
            <Field label={t('products.name')}>
              <input name="name" required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
            </Field>
            <Field label={t('merchants.products')} hint={t('merchants.productsHint')}>
              <input name="products" value={form.products} onChange={(e) => setForm({ ...form, products: e.target.value })} />
            </Field>
          </>
        ),
      }}
    />
  );
}
