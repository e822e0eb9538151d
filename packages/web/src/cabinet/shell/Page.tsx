import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from '../../shared/router.js';
import { ApiError } from '../api/client.js';
import { ErrorNote } from '../../shared/ui/Feedback.js';

/**
 * What a screen shows while its data loads or when it failed. A 404 (another consumer's id, a stale
 * link) reads as "not found" with a way home — the server answers 404, never someone else's data.
 */
export function Loadable({ error, loading, children }: { error: unknown; loading: boolean; children: () => ReactNode }) {
  const { t } = useTranslation();
  if (error instanceof ApiError && error.status === 404)
    return (
      <section data-testid="not-found" role="alert">
        <h1>{t('app.notFound')}</h1>
        <p>{t(`errors.${error.code}`, { defaultValue: t('errors.not_found') })}</p>
        <p>
          <Link to="/">{t('app.toHome')}</Link>
        </p>
      </section>
    );
  if (error) return <ErrorNote error={error} />;
  if (loading) return <p className="loading">{t('common.loading')}</p>;
  return <>{children()}</>;
}

/** A status word from the catalogue, coloured by its class (never by colour alone: the word is there). */
export function Status({ group, value }: { group: string; value: string }) {
  const { t } = useTranslation();
  return <span className={`status status-${value}`}>{t(`${group}.${value}`, { defaultValue: value })}</span>;
}
