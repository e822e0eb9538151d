import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { json, type Ok } from '../../shared/api/client.js';
import { ErrorNote, Field, Notice } from '../../shared/ui/Feedback.js';
import { clientKey } from './ClientCardScreen.js';

type Card = Ok<'/api/staff/clients/{id}', 'get'>;

/** Edit the client's name and contacts; an emptied phone or e-mail is removed. */
export function ClientEditForm({ card }: { card: Card }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [form, setForm] = useState({ fullName: card.fullName, phone: card.phone ?? '', email: card.email ?? '' });
  const save = useMutation({
    mutationFn: () => json('PATCH', `/api/clients/${card.id}`, { fullName: form.fullName, phone: form.phone || null, email: form.email || null }),
    onSuccess: () => client.invalidateQueries({ queryKey: clientKey(card.id) }),
  });
  return (
    <form
      className="panel grid"
      aria-label={t('client.edit')}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Field label={t('client.fullName')}>
        <input name="fullName" required value={form.fullName} onChange={(e) => setForm({ ...form, fullName: e.target.value })} />
      </Field>
      <Field label={t('client.phone')}>
        <input name="phone" type="tel" value={form.phone} onChange={(e) => setForm({ ...form, phone: e.target.value })} />
      </Field>
      <Field label={t('client.email')}>
        <input name="email" type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
      </Field>
      {card.externalId && (
        <p>
          {t('client.externalId')}: {card.externalId}
        </p>
      )}
      <ErrorNote error={save.error} />
      {save.isSuccess && <Notice>{t('common.saved')}</Notice>}
      <button type="submit" disabled={save.isPending}>
        {t('common.save')}
      </button>
    </form>
  );
}
