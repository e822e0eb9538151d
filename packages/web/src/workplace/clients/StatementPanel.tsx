import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { json } from '../../shared/api/client.js';
import { dateTime, money } from '../../shared/format.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { OffsetPager } from '../../shared/ui/Pager.js';

interface Line {
  operationId: string;
  type: string;
  at: string;
  product: string;
  amount: number;
}
const LIMIT = 20;

/** The account statement: its postings newest first, paged on the server. */
export function StatementPanel({ accountId }: { accountId: string }) {
  const { t } = useTranslation();
  const [offset, setOffset] = useState(0);
  // GET /api/accounts/{id}/operations has no response schema in the OpenAPI document yet; its shape is Line[].
  const lines = useQuery({ queryKey: ['statement', accountId, offset], queryFn: () => json<{ items: Line[] }>('GET', `/api/accounts/${accountId}/operations?limit=${LIMIT}&offset=${offset}`) });
  return (
    <div className="statement">
      <ErrorNote error={lines.error} />
      <DataTable
        caption={t('account.statement')}
        rows={lines.data?.items}
        loading={lines.isFetching}
        rowKey={(l) => `${l.operationId}:${l.product}`}
        columns={[
          { key: 'at', title: t('operation.at'), render: (l) => dateTime(l.at) },
          { key: 'type', title: t('operation.type'), render: (l) => t(`operation.types.${l.type}`) },
          { key: 'product', title: t('wallet.product'), render: (l) => l.product },
          { key: 'amount', title: t('operation.amount'), numeric: true, render: (l) => money(l.amount) },
        ]}
      />
      <OffsetPager offset={offset} limit={LIMIT} count={lines.data?.items.length ?? 0} onChange={setOffset} />
    </div>
  );
}
