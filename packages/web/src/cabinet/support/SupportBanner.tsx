import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { dateTime } from '../../shared/format.js';
import { Link } from '../../shared/router.js';
import { raw } from '../api/client.js';
import { useSession } from '../session.js';
import './support.css';

/** What /auth/me adds for a session support opened (cabinet-front support/support.ts). */
interface Look {
  restriction?: 'read_only' | 'totp_enrolment';
  actingAs?: { login: string; name: string };
}
interface Visit {
  at: string;
  employee: { login: string; name: string };
  reason: string | null;
}

const get = async <T,>(url: string): Promise<T> => (await (await raw('GET', url)).json()) as T;
const RECENT_DAYS = 30;
const seenKey = 'support-visit-seen';

/**
 * Support's "act as consumer", as the shell shows it. In the read-only session the employee opened
 * from the back office: a banner saying so (every change is refused by the server, 403
 * read_only_session). For the consumer: the newest staff look of the last 30 days at any of their
 * consumers — when and who — with a link to the full list (Security), until they close it.
 */
export function SupportBanner() {
  const { me } = useSession();
  const look = me as typeof me & Look;
  if (look.restriction === 'read_only') return <ReadOnlyBanner name={look.actingAs?.name ?? look.displayName} />;
  return <VisitNotice />;
}

function ReadOnlyBanner({ name }: { name: string }) {
  const { t } = useTranslation();
  return (
    <div className="banner read-only" role="note" data-testid="read-only-banner">
      {t('support.readOnly', { name })}
    </div>
  );
}

function VisitNotice() {
  const { t } = useTranslation();
  const [seen, setSeen] = useState(() => localStorage.getItem(seenKey) ?? '');
  const latest = useQuery({
    queryKey: ['support-visits-latest'],
    staleTime: 60_000,
    queryFn: async () => {
      const consumers = await get<{ items?: Array<{ consumerRef: string; rights: string[] }> }>('/api/consumers');
      const lists = await Promise.all((consumers.items ?? []).filter((c) => c.rights.includes('view')).map((c) => get<{ items?: Visit[] }>(`/api/consumers/${encodeURIComponent(c.consumerRef)}/support-visits?limit=1`)));
      const since = new Date(Date.now() - RECENT_DAYS * 86_400_000).toISOString();
      return lists.flatMap((l) => l.items ?? []).filter((v) => v.at >= since).sort((a, b) => (a.at < b.at ? 1 : -1))[0] ?? null;
    },
  });
  const visit = latest.data;
  if (!visit || visit.at <= seen) return null;
  return (
    <div className="banner visit" role="status" data-testid="support-visit-notice">
      <span>{t('support.visited', { at: dateTime(visit.at), name: visit.employee.name })}</span> <Link to="/security">{t('support.details')}</Link>{' '}
      <button
        type="button"
        onClick={() => {
          localStorage.setItem(seenKey, visit.at);
          setSeen(visit.at);
        }}
      >
        {t('support.dismiss')}
      </button>
    </div>
  );
}
