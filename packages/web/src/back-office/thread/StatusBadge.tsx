import { useTranslation } from 'react-i18next';

/** A status as a labelled badge: `status.application.needs_info` etc. */
export function StatusBadge({ kind, status }: { kind: 'application' | 'request' | 'link' | 'document' | 'payment'; status: string }) {
  const { t } = useTranslation();
  return <span className={`badge badge-${status}`}>{t(`status.${kind}.${status}`, { defaultValue: status })}</span>;
}
