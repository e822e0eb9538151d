import { useTranslation } from 'react-i18next';
import { Field } from '../../shared/ui/Feedback.js';
import { useSession } from '../session.js';

/** Status and assignee filters of a queue (the server filters and pages). */
export function QueueFilters({ kind, statuses, status, assignedTo, onChange, children }: { kind: 'application' | 'request'; statuses: readonly string[]; status: string; assignedTo: string; onChange: (f: { status: string; assignedTo: string }) => void; children?: React.ReactNode }) {
  const { t } = useTranslation();
  const { me } = useSession();
  return (
    <form className="inline filters" role="search" aria-label={t('queue.filters')} onSubmit={(e) => e.preventDefault()}>
      <Field label={t('common.status')}>
        <select name="status" value={status} onChange={(e) => onChange({ status: e.target.value, assignedTo })}>
          <option value="">{t('common.all')}</option>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {t(`status.${kind}.${s}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('queue.assignee')}>
        <input name="assignedTo" value={assignedTo} placeholder={t('queue.anyone')} onChange={(e) => onChange({ status, assignedTo: e.target.value.trim() })} />
      </Field>
      <label className="check">
        <input type="checkbox" checked={assignedTo === me.login} onChange={(e) => onChange({ status, assignedTo: e.target.checked ? me.login : '' })} />
        {t('queue.mine')}
      </label>
      {children}
    </form>
  );
}
