import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { json } from '../../shared/api/client.js';
import { money, parseRoubles } from '../../shared/format.js';
import { Field } from '../../shared/ui/Feedback.js';
import { useSession } from '../session.js';
import { DirectoryPage } from './DirectoryPage.js';

// GET /api/products has no response schema in the OpenAPI document yet; this is its shape.
interface Product {
  code: string;
  name: string;
  minBalance: number;
  maxBalance: number | null;
  perOperationLimit: number | null;
  dailyDebitLimit: number | null;
  monthlyDebitLimit: number | null;
}
const LIMITS = ['maxBalance', 'perOperationLimit', 'dailyDebitLimit', 'monthlyDebitLimit'] as const;
type LimitName = (typeof LIMITS)[number];

/** Products (wallet types) and their limits: read-only below manager; a manager creates and edits them. */
export function ProductsScreen() {
  const { t } = useTranslation();
  const { can } = useSession();
  const client = useQueryClient();
  const editable = can('manager');
  const products = useQuery({ queryKey: ['products'], queryFn: () => json<Product[]>('GET', '/api/products') });
  const [form, setForm] = useState({ code: '', name: '' });
  const [edit, setEdit] = useState<{ code: string; values: Record<LimitName, string> } | null>(null);
  const done = () => client.invalidateQueries({ queryKey: ['products'] });
  const create = useMutation({ mutationFn: () => json('POST', '/api/products', form), onSuccess: () => (setForm({ code: '', name: '' }), done()) });
  const save = useMutation({
    mutationFn: () => {
      const body: Record<string, number | null> = {};
      for (const name of LIMITS) body[name] = edit!.values[name].trim() === '' ? null : parseRoubles(edit!.values[name]);
      return json('PATCH', `/api/products/${edit!.code}`, body);
    },
    onSuccess: () => (setEdit(null), done()),
  });
  return (
    <DirectoryPage
      title={t('nav.products')}
      editable={editable}
      error={products.error ?? create.error ?? save.error}
      rows={products.data}
      rowKey={(p) => p.code}
      columns={[
        { key: 'code', title: t('products.code'), render: (p) => <code>{p.code}</code> },
        { key: 'name', title: t('products.name'), render: (p) => p.name },
        ...LIMITS.map((name) => ({ key: name, title: t(`products.${name}`), numeric: true, render: (p: Product) => money(p[name]) })),
      ]}
      actions={(p) => (
        <button type="button" onClick={() => setEdit({ code: p.code, values: Object.fromEntries(LIMITS.map((n) => [n, p[n] === null ? '' : (p[n]! / 100).toFixed(2)])) as Record<LimitName, string> })}>
          {t('products.editLimits')}
        </button>
      )}
      create={{
        label: t('products.create'),
        onSubmit: () => create.mutate(),
        fields: (
          <>
            <Field label={t('products.code')}>
              <input name="code" required pattern="[a-z][a-z0-9_-]*" value={form.code} onChange={(e) => setForm({ ...form, code: e.target.value })} />
            </Field>
            <Field label={t('products.name')}>
              <input name="name" required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
            </Field>
          </>
        ),
      }}
    >
      {edit && (
        <form
          className="panel grid"
          aria-label={t('products.editLimits')}
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate();
          }}
        >
          <h2>
            {t('products.editLimits')}: {edit.code}
          </h2>
          {LIMITS.map((name) => (
            <Field key={name} label={t(`products.${name}`)} hint={t('products.emptyNoLimit')}>
              <input name={name} inputMode="decimal" value={edit.values[name]} onChange={(e) => setEdit({ ...edit, values: { ...edit.values, [name]: e.target.value } })} />
            </Field>
          ))}
          <button type="submit">{t('common.save')}</button>
          <button type="button" onClick={() => setEdit(null)}>
            {t('common.cancel')}
          </button>
        </form>
      )}
    </DirectoryPage>
  );
}
