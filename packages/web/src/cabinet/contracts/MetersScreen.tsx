import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { api, call } from '../api/client.js';
import { MetersTable } from './ContractScreen.js';

/** Every meter of every linked contract. */
export function MetersScreen() {
  const { t } = useTranslation();
  const meters = useQuery({ queryKey: ['meters', 'all'], queryFn: () => call(api.GET('/api/meters', { params: { query: { limit: 200, offset: 0 } } })) });
  return (
    <section>
      <h1>{t('nav.meters')}</h1>
      <ErrorNote error={meters.error} />
      <MetersTable meters={meters.data?.items} caption={t('nav.meters')} />
    </section>
  );
}
