import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { dateTime } from '../../shared/format.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';
import { api, callAs } from '../api/client.js';
import type { DeadCommand } from '../api/views.js';

/**
 * Commands from the cabinet that could never apply (bad payload, consumer not linked …), newest first,
 * for a supervisor to look into. cabinet-back has no re-drive route: they are shown, not re-sent.
 */
export function DeadCommandsScreen() {
  const { t } = useTranslation();
  const [limit, setLimit] = useState(50);
  const list = useQuery({ queryKey: ['dead-commands', limit], queryFn: () => callAs<{ items: DeadCommand[] }>(api.GET('/api/back-office/dead-commands', { params: { query: { limit } } })) });
  return (
    <section>
      <h1>{t('nav.deadCommands')}</h1>
      <p className="hint">{t('dead.hint')}</p>
      <form className="inline" onSubmit={(e) => e.preventDefault()}>
        <Field label={t('dead.limit')}>
          <select value={limit} onChange={(e) => setLimit(Number(e.target.value))}>
            {[50, 100, 200].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </Field>
      </form>
      <ErrorNote error={list.error} />
      <DataTable
        caption={t('nav.deadCommands')}
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(d) => d.messageId}
        columns={[
          { key: 'at', title: t('dead.receivedAt'), render: (d) => dateTime(d.receivedAt) },
          { key: 'topic', title: t('dead.topic'), render: (d) => <code>{d.topic}</code> },
          { key: 'errors', title: t('dead.errors'), render: (d) => d.errors.map((e) => `${e.code ?? ''} ${e.message ?? ''}`.trim()).join('; ') },
          {
            key: 'payload',
            title: t('dead.payload'),
            render: (d) => (
              <details>
                <summary>{t('dead.show')}</summary>
                <pre className="payload">{JSON.stringify(d.payload, null, 2)}</pre>
              </details>
            ),
          },
        ]}
      />
    </section>
  );
}
