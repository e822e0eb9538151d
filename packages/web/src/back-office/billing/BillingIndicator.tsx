import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, callAs } from '../api/client.js';
import type { BillingStatus } from '../api/views.js';

/** Whether billing answers now (checked every 30 s): decisions that need it wait while it is away. */
export function BillingIndicator() {
  const { t } = useTranslation();
  const status = useQuery({ queryKey: ['billing-status'], queryFn: () => callAs<BillingStatus>(api.GET('/api/back-office/billing/status')), refetchInterval: 30_000 });
  const state = status.data?.billing ?? (status.error ? 'offline' : 'unknown');
  return (
    <span className={`billing billing-${state}`} role="status" data-testid="billing-status" title={status.data?.adapter ?? undefined}>
      <span aria-hidden="true">●</span> {t(`billing.${state}`)}
    </span>
  );
}
