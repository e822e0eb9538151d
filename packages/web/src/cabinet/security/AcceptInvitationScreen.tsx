import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ErrorNote, Notice } from '../../shared/ui/Feedback.js';
import { json } from './api.js';

/** The link from an invitation e-mail: /invitations/accept?token=… (after login or registration). */
export function AcceptInvitationScreen() {
  const { t } = useTranslation();
  const token = new URLSearchParams(window.location.search).get('token') ?? '';
  const accept = useMutation({ mutationFn: () => json<{ consumerRef: string; rights: string[] }>('POST', '/api/invitations/accept', { token }) });
  return (
    <section className="card">
      <h1>{t('security.accept.title')}</h1>
      <p>{t('security.accept.text')}</p>
      <ErrorNote error={accept.error} />
      {accept.isSuccess ? (
        <Notice>{t('security.accept.done', { rights: accept.data.rights.map((r) => t(`security.rights.${r}`)).join(', ') })}</Notice>
      ) : (
        <button type="button" onClick={() => accept.mutate()} disabled={!token || accept.isPending}>
          {t('security.accept.submit')}
        </button>
      )}
    </section>
  );
}
