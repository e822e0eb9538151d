import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { json, type Consumer } from './api.js';

/**
 * Whether the caller has a right (view, submit_readings, pay, sign) for a consumer: owners have all,
 * a representative those the owner gave. `undefined` while not known yet. The server checks it anyway
 * (403); screens use this to offer only what may be done.
 */
export function useRight(consumerRef: string | undefined, right: 'view' | 'submit_readings' | 'pay' | 'sign'): boolean | undefined {
  const consumers = useQuery({ queryKey: ['consumers'], queryFn: () => json<{ items: Consumer[] }>('GET', '/api/consumers'), enabled: !!consumerRef });
  if (!consumerRef || !consumers.data) return undefined;
  return consumers.data.items.find((c) => c.consumerRef === consumerRef)?.rights.includes(right) ?? false;
}

/** What a representative sees instead of an action they have no right to. */
export function NoRight({ right }: { right: 'submit_readings' | 'pay' | 'sign' }) {
  const { t } = useTranslation();
  return <p className="hint" data-testid={`no-right-${right}`}>{t('security.noRight', { right: t(`security.rights.${right}`) })}</p>;
}
