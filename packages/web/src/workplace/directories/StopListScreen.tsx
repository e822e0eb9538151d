import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { json } from '../../shared/api/client.js';
import { dateTime } from '../../shared/format.js';
import { DirectoryPage } from './DirectoryPage.js';

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
    <DirectoryPage
      title={t('nav.stopList')}
      // Nobody edits the list here (an identifier gets on it when it is blocked), so no "read-only" hint either.
      editable
      error={list.error}
      rows={list.data?.items}
      loading={list.isFetching}
      rowKey={(e) => `${e.kind}:${e.value}`}
      columns={[
        { key: 'kind', title: t('identifier.kind'), render: (e) => t(`identifier.kinds.${e.kind}`, { defaultValue: e.kind }) },
        { key: 'value', title: t('identifier.value'), render: (e) => <code>{e.value}</code> },
        { key: 'reason', title: t('identifier.reason'), render: (e) => t(`identifier.reasons.${e.reason}`, { defaultValue: e.reason }) },
        { key: 'at', title: t('common.created'), render: (e) => dateTime(e.addedAt) },
      ]}
      pager={{ offset, limit: LIMIT, onChange: setOffset }}
    />
  );
}
