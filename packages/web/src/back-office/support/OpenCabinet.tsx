import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { dateTime } from '../../shared/format.js';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { api, call } from '../api/client.js';
import { useSession } from '../session.js';

/**
 * "Открыть кабинет потребителя": support's read-only look at a consumer's cabinet (cabinet-back
 * support/support.routes.ts). The employee must say why; the back answers a one-time link to the
 * cabinet (valid a few minutes), shown here to open in a new tab. The consumer later sees the date and
 * the employee in their cabinet. Shown to the support role only (a supervisor holds it too); the API
 * refuses everyone else as well.
 */
export function OpenCabinet({ consumerRef }: { consumerRef: string }) {
  const { can } = useSession();
  if (!can('support')) return null;
  return <OpenCabinetForm consumerRef={consumerRef} />;
}

function OpenCabinetForm({ consumerRef }: { consumerRef: string }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const grant = useMutation({
    mutationFn: () => call(api.POST('/api/back-office/support/grants', { body: { consumerRef, reason: reason.trim() } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['support-grants'] }),
  });
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {t('support.open')}
      </button>
    );
  return (
    <section className="panel support-grant" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('support.title', { consumer: consumerRef })}</h2>
      <p>{t('support.explain')}</p>
      {!grant.data && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            grant.mutate();
          }}
        >
          <label className="field">
            <span>{t('support.reason')}</span>
            <textarea name="support-reason" required minLength={3} maxLength={500} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
          <div className="row">
            <button type="submit" disabled={grant.isPending || reason.trim().length < 3}>
              {t('support.grant')}
            </button>
            <button type="button" onClick={() => setOpen(false)}>
              {t('support.cancel')}
            </button>
          </div>
        </form>
      )}
      <ErrorNote error={grant.error} />
      {grant.data && (
        <div role="status" className="notice">
          <p>
            <a href={grant.data.url} target="_blank" rel="noopener noreferrer" data-testid="support-link">
              {t('support.link')}
            </a>
          </p>
          <p>{t('support.linkNote', { until: dateTime(grant.data.expiresAt) })}</p>
        </div>
      )}
    </section>
  );
}
