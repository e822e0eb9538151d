import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { api, call } from '../api/client.js';

/** Who is logged in: name, e-mail or phone (decrypted for the owner only). */
export function ProfileScreen() {
  const { t } = useTranslation();
  const me = useQuery({ queryKey: ['api-me'], queryFn: () => call(api.GET('/api/me')) });
  return (
    <section>
      <h1>{t('nav.profile')}</h1>
      <ErrorNote error={me.error} />
      {me.data && (
        <dl className="facts card">
          <dt>{t('profile.name')}</dt>
          <dd>{me.data.displayName}</dd>
          <dt>{t('profile.login')}</dt>
          <dd>{me.data.login}</dd>
          {me.data.email && (
            <>
              <dt>{t('profile.email')}</dt>
              <dd>{me.data.email}</dd>
            </>
          )}
          {me.data.phone && (
            <>
              <dt>{t('profile.phone')}</dt>
              <dd>{me.data.phone}</dd>
            </>
          )}
        </dl>
      )}
    </section>
  );
}
