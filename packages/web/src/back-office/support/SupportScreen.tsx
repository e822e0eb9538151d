import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { dateTime } from '../../shared/format.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';
import { api, call } from '../api/client.js';
import { OpenCabinet } from './OpenCabinet.js';

/**
 * Support's screen (support role): open the cabinet of a consumer named by their billing code — the
 * case of a phone call, where there is no request card to start from — and the journal of every
 * read-only look granted (who, whom, when, why), newest first; the consumer field filters it.
 */
export function SupportScreen() {
  const { t } = useTranslation();
  const [typed, setTyped] = useState('');
  const consumerRef = typed.trim();
  const list = useQuery({
    queryKey: ['support-grants', consumerRef],
    placeholderData: keepPreviousData,
    queryFn: () => call(api.GET('/api/back-office/support/grants', { params: { query: { limit: 50, ...(consumerRef ? { consumerRef } : {}) } } })),
  });
  return (
    <section>
      <h1>{t('nav.support')}</h1>
      <p className="hint">{t('support.hint')}</p>
      <form className="inline filters" role="search" aria-label={t('support.find')} onSubmit={(e) => e.preventDefault()}>
        <Field label={t('support.consumerRef')}>
          <input name="consumerRef" value={typed} maxLength={64} onChange={(e) => setTyped(e.target.value)} />
        </Field>
      </form>
      {consumerRef && <OpenCabinet key={consumerRef} consumerRef={consumerRef} />}
      <h2>{t('support.journal')}</h2>
      <ErrorNote error={list.error} />
      <DataTable
        caption={t('support.journal')}
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(g) => g.grantId}
        columns={[
          { key: 'at', title: t('support.at'), render: (g) => dateTime(g.createdAt) },
          { key: 'consumer', title: t('support.consumerRef'), render: (g) => g.consumerRef },
          { key: 'employee', title: t('support.employee'), render: (g) => g.employee.name },
          { key: 'reason', title: t('support.reason'), render: (g) => g.reason },
        ]}
      />
    </section>
  );
}
