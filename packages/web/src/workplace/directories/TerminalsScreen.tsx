import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, call, json } from '../../shared/api/client.js';
import { dateTime } from '../../shared/format.js';
import { Field, Notice } from '../../shared/ui/Feedback.js';
import { useSession } from '../session.js';
import { DirectoryPage } from './DirectoryPage.js';

const LIMIT = 25;

/** Terminals: read-only below manager; a manager registers one (its secret is shown once) and blocks it. */
export function TerminalsScreen() {
  const { t } = useTranslation();
  const { can } = useSession();
  const client = useQueryClient();
  const editable = can('manager');
  const [offset, setOffset] = useState(0);
  const list = useQuery({ queryKey: ['terminals', offset], placeholderData: keepPreviousData, queryFn: () => call(api.GET('/api/staff/terminals', { params: { query: { limit: LIMIT, offset } } })) });
  const merchants = useQuery({ queryKey: ['merchants-all'], enabled: editable, queryFn: () => call(api.GET('/api/staff/merchants', { params: { query: { limit: 200, offset: 0 } } })) });
  const [form, setForm] = useState({ code: '', merchantId: '' });
  const done = () => client.invalidateQueries({ queryKey: ['terminals'] });
  const create = useMutation({ mutationFn: () => json<{ code: string; secret: string }>('POST', '/api/terminals', form), onSuccess: done });
  const status = useMutation({ mutationFn: (x: { id: string; status: string }) => json('PATCH', `/api/terminals/${x.id}`, { status: x.status === 'active' ? 'blocked' : 'active' }), onSuccess: done });
  return (
    <DirectoryPage
      title={t('nav.terminals')}
      editable={editable}
      error={list.error ?? create.error ?? status.error}
      rows={list.data?.items}
      loading={list.isFetching}
      rowKey={(x) => x.id}
      columns={[
        { key: 'code', title: t('products.code'), render: (x) => <code>{x.code}</code> },
        { key: 'merchant', title: t('operation.merchant'), render: (x) => x.merchantName },
        { key: 'status', title: t('common.status'), render: (x) => t(`status.${x.status}`) },
        { key: 'at', title: t('common.created'), render: (x) => dateTime(x.createdAt) },
      ]}
      actions={(x) => (
        <button type="button" onClick={() => status.mutate(x)}>
          {x.status === 'active' ? t('common.block') : t('common.unblock')}
        </button>
      )}
      pager={{ offset, limit: LIMIT, total: list.data?.total, onChange: setOffset }}
      create={{
        label: t('terminals.create'),
        onSubmit: () => create.mutate(),
        fields: (
          <>
            <Field label={t('products.code')}>
              <input name="code" required value={form.code} onChange={(e) => setForm({ ...form, code: e.target.value })} />
            </Field>
            <Field label={t('operation.merchant')}>
              <select name="merchant" required value={form.merchantId} onChange={(e) => setForm({ ...form, merchantId: e.target.value })}>
                <option value="">—</option>
                {merchants.data?.items.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.name}
                  </option>
                ))}
              </select>
            </Field>
          </>
        ),
      }}
      footer={create.data && <Notice>{t('terminals.secret', { code: create.data.code, secret: create.data.secret })}</Notice>}
    />
  );
}
