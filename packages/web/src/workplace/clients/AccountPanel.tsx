import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { json, type Ok } from '../../shared/api/client.js';
import { money } from '../../shared/format.js';
import { Link } from '../../shared/router.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { clientKey } from './ClientCardScreen.js';
import { IdentifiersPanel } from './IdentifiersPanel.js';
import { StatementPanel } from './StatementPanel.js';

type Account = Ok<'/api/staff/clients/{id}', 'get'>['accounts'][number];

/** One account: status with block/unblock, wallets with balances and limits, identifiers, statement. */
export function AccountPanel({ clientId, account }: { clientId: string; account: Account }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [statement, setStatement] = useState(false);
  const blocking = useMutation({
    mutationFn: (blocked: boolean) => json('POST', `/api/accounts/${account.id}/blocking`, { blocked }),
    onSuccess: () => client.invalidateQueries({ queryKey: clientKey(clientId) }),
  });
  return (
    <article className="panel account" aria-label={t('account.title', { number: account.number })}>
      <header className="row">
        <h3>{t('account.title', { number: account.number })}</h3>
        <span className={`status status-${account.status}`}>{t(`status.${account.status}`)}</span>
        {account.status !== 'closed' && (
          <button type="button" disabled={blocking.isPending} onClick={() => blocking.mutate(account.status !== 'blocked')}>
            {account.status === 'blocked' ? t('account.unblock') : t('account.block')}
          </button>
        )}
      </header>
      <ErrorNote error={blocking.error} />
      <DataTable
        caption={t('account.wallets')}
        rows={account.wallets}
        rowKey={(w) => w.product}
        columns={[
          { key: 'product', title: t('wallet.product'), render: (w) => w.productName },
          { key: 'balance', title: t('wallet.balance'), numeric: true, render: (w) => money(w.balance) },
          { key: 'min', title: t('wallet.minBalance'), numeric: true, render: (w) => money(w.minBalance) },
          { key: 'daily', title: t('wallet.dailyLimit'), numeric: true, render: (w) => money(w.dailyDebitLimit) },
          { key: 'monthly', title: t('wallet.monthlyLimit'), numeric: true, render: (w) => money(w.monthlyDebitLimit) },
        ]}
      />
      <IdentifiersPanel clientId={clientId} accountId={account.id} identifiers={account.identifiers} />
      <p className="row">
        <button type="button" aria-expanded={statement} onClick={() => setStatement(!statement)}>
          {t('account.statement')}
        </button>
        <Link to={`/reports?kind=account_statement&accountId=${account.id}`}>{t('account.statementReport')}</Link>
        <Link to={`/reports?kind=money_movement&clientId=${clientId}`}>{t('account.certificate')}</Link>
      </p>
      {statement && <StatementPanel accountId={account.id} />}
    </article>
  );
}
