import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { json } from '../../shared/api/client.js';
import { Link, useRouter } from '../../shared/router.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';
import { OffsetPager } from '../../shared/ui/Pager.js';
import { NewClientForm } from './NewClientForm.js';

interface Found {
  id: string;
  fullName: string;
  phone: string | null;
  accounts: string[];
}
const LIMIT = 25;

/** Find a client by name, account number, identifier or phone (the server searches all four). */
export function ClientSearchScreen() {
  const { t } = useTranslation();
  const { search, navigate } = useRouter();
  const q = search.get('q') ?? '';
  const offset = Number(search.get('offset') ?? 0);
  const [text, setText] = useState(q);
  const found = useQuery({
    queryKey: ['clients', q, offset],
    enabled: q.trim().length >= 2,
    // GET /api/clients has no response schema in the OpenAPI document yet; its shape is Found[].
    queryFn: () => json<{ items: Found[] }>('GET', `/api/clients?${new URLSearchParams({ q: q.trim(), limit: String(LIMIT), offset: String(offset) })}`),
  });
  return (
    <section>
      <h1>{t('clients.title')}</h1>
      <form
        role="search"
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(`/clients?${new URLSearchParams({ q: text })}`);
        }}
      >
        <Field label={t('clients.query')} hint={t('clients.queryHint')}>
          <input name="q" type="search" minLength={2} value={text} onChange={(e) => setText(e.target.value)} />
        </Field>
        <button type="submit">{t('common.find')}</button>
      </form>
      <ErrorNote error={found.error} />
      {q && (
        <>
          <DataTable
            caption={t('clients.title')}
            rows={found.data?.items}
            loading={found.isFetching}
            rowKey={(r) => r.id}
            columns={[
              { key: 'name', title: t('client.fullName'), render: (r) => <Link to={`/clients/${r.id}`}>{r.fullName}</Link> },
              { key: 'phone', title: t('client.phone'), render: (r) => r.phone ?? '—' },
              { key: 'accounts', title: t('client.accounts'), render: (r) => r.accounts.join(', ') || '—' },
            ]}
          />
          <OffsetPager offset={offset} limit={LIMIT} count={found.data?.items.length ?? 0} onChange={(o) => navigate(`/clients?${new URLSearchParams({ q, offset: String(o) })}`)} />
        </>
      )}
      <NewClientForm />
    </section>
  );
}
