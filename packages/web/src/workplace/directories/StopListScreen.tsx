import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { json } from '../../shared/api/client.js';
import { dateTime } from '../../shared/format.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { OffsetPager } from '../../shared/ui/Pager.js';

interface Entry {
  kind: string;
  value: string;
  reason: string;
  addedAt: string;
}
const LIMIT = 50;

/** The stop-list: identifiers blocked on the terminals (an identifier gets here when it is blocked). */
export function StopListScreen() {
  const { t } = useTranslation();
  const [offset, setOffset] = useState(0);
  // GET /api/stop-list has no response schema in the OpenAPI document yet; this is its shape.
  const list = useQuery({ queryKey: ['stop-list', offset], placeholderData: keepPreviousData, queryFn: () => json<{ items: Entry[] }>('GET', `/api/stop-list?limit=${LIMIT}&offset=${offset}`) });
  return (
    <section>
      <h1>{t('nav.stopList')}</h1>
      <ErrorNote error={list.error} />
      <DataTable
        caption={t('nav.stopList')}
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(e) => `${e.kind}:${e.value}`}
        columns={[
          { key: 'kind', title: t('identifier.kind'), render: (e) => t(`identifier.kinds.${e.kind}`, { defaultValue: e.kind }) },
          { key: 'value', title: t('identifier.value'), render: (e) => <code>{e.value}</code> },
          { key: 'reason', title: t('identifier.reason'), render: (e) => t(`identifier.reasons.${e.reason}`, { defaultValue: e.reason }) },
          { key: 'at', title: t('common.created'), render: (e) => dateTime(e.addedAt) },
        ]}
      />
      <OffsetPager offset={offset} limit={LIMIT} count={list.data?.items.length ?? 0} onChange={setOffset} />
    </section>
  );
}
