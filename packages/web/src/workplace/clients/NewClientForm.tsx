import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { json } from '../../shared/api/client.js';
import { useRouter } from '../../shared/router.js';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';

/** A new client with an account in the chosen products (two calls: client, then account). */
export function NewClientForm() {
  const { t } = useTranslation();
  const { navigate } = useRouter();
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ fullName: '', phone: '', email: '', products: [] as string[] });
  const products = useQuery({ queryKey: ['products'], enabled: open, queryFn: () => json<Array<{ code: string; name: string }>>('GET', '/api/products') });
  const create = useMutation({
    mutationFn: async () => {
      const client = await json<{ id: string }>('POST', '/api/clients', { fullName: form.fullName, ...(form.phone ? { phone: form.phone } : {}), ...(form.email ? { email: form.email } : {}) });
      if (form.products.length) await json('POST', '/api/accounts', { clientId: client.id, products: form.products });
      return client;
    },
    onSuccess: (client) => navigate(`/clients/${client.id}`),
  });
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {t('clients.new')}
      </button>
    );
  return (
    <form
      className="panel"
      aria-label={t('clients.new')}
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <h2>{t('clients.new')}</h2>
      <Field label={t('client.fullName')}>
        <input name="fullName" required value={form.fullName} onChange={(e) => setForm({ ...form, fullName: e.target.value })} />
      </Field>
      <Field label={t('client.phone')}>
        <input name="phone" type="tel" value={form.phone} onChange={(e) => setForm({ ...form, phone: e.target.value })} />
      </Field>
      <Field label={t('client.email')}>
        <input name="email" type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
      </Field>
      <fieldset>
        <legend>{t('clients.products')}</legend>
        {products.data?.map((p) => (
          <label key={p.code} className="check">
            <input
              type="checkbox"
              checked={form.products.includes(p.code)}
              onChange={(e) => setForm({ ...form, products: e.target.checked ? [...form.products, p.code] : form.products.filter((c) => c !== p.code) })}
            />
            {p.name}
          </label>
        ))}
      </fieldset>
      <ErrorNote error={create.error} />
      <button type="submit" disabled={create.isPending}>
        {t('common.create')}
      </button>
    </form>
  );
}
