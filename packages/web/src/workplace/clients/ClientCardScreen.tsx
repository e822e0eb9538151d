import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, call } from '../../shared/api/client.js';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { AccountPanel } from './AccountPanel.js';
import { ClientEditForm } from './ClientEditForm.js';
import { NotificationsPanel } from './NotificationsPanel.js';

export const clientKey = (id: string) => ['client', id] as const;

export function useClientCard(id: string) {
  return useQuery({ queryKey: clientKey(id), queryFn: () => call(api.GET('/api/staff/clients/{id}', { params: { path: { id } } })) });
}

/** The client card: contacts (editable), each account with wallets, identifiers and statement, subscriptions. */
export function ClientCardScreen({ params }: { params: Record<string, string> }) {
  const { t } = useTranslation();
  const card = useClientCard(params.id!);
  if (card.error) return <ErrorNote error={card.error} />;
  if (!card.data) return <p>{t('common.loading')}</p>;
  const c = card.data;
  return (
    <section>
      <h1>{c.fullName}</h1>
      <ClientEditForm card={c} />
      <NotificationsPanel clientId={c.id} hasPhone={!!c.phone} hasEmail={!!c.email} />
      <h2>{t('client.accounts')}</h2>
      {c.accounts.length === 0 && <p>{t('client.noAccounts')}</p>}
      {c.accounts.map((a) => (
        <AccountPanel key={a.id} clientId={c.id} account={a} />
      ))}
    </section>
  );
}
