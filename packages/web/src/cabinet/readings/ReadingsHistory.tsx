import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { dateTime } from '../../shared/format.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { OffsetPager } from '../../shared/ui/Pager.js';
import { api, call } from '../api/client.js';
import { Field } from '../shell/Field.js';
import { date, number } from '../shell/format.js';

type Status = 'sent' | 'accepted' | 'rejected';
const LIMIT = 20;

/** Readings sent through the cabinet (form and Excel) and billing's verdict on each; polled while some await billing. */
export function ReadingsHistory({ meterId }: { meterId?: string }) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<Status | ''>('');
  const [offset, setOffset] = useState(0);
  const readings = useQuery({
    queryKey: ['readings', { meterId, status, offset }],
    queryFn: () => call(api.GET('/api/readings', { params: { query: { ...(meterId ? { meterId } : {}), ...(status ? { status } : {}), limit: LIMIT, offset } } })),
    refetchInterval: (q) => (q.state.data?.items.some((r) => r.status === 'sent') ? 2000 : false),
  });
  return (
    <section aria-labelledby="readings-history">
      <h2 id="readings-history">{t('readings.history')}</h2>
      <div className="inline">
        <Field label={t('common.status')}>
          <select
            name="status"
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as Status | '');
              setOffset(0);
            }}
          >
            <option value="">{t('readings.allStatuses')}</option>
            {(['sent', 'accepted', 'rejected'] as const).map((s) => (
              <option key={s} value={s}>
                {t(`readings.status.${s}`)}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <ErrorNote error={readings.error} />
      <DataTable
        caption={t('readings.history')}
        rows={readings.data?.items}
        rowKey={(r) => r.id}
        columns={[
          { key: 'date', title: t('readings.date'), render: (r) => date(r.date) },
          { key: 'zone', title: t('meters.zone'), render: (r) => r.zone },
          { key: 'value', title: t('meters.value'), render: (r) => number(r.value, 4), numeric: true },
          { key: 'consumption', title: t('readings.consumptionKwh'), render: (r) => number(r.consumptionKwh), numeric: true },
          { key: 'source', title: t('readings.source'), render: (r) => t(`readings.sources.${r.source}`, { defaultValue: r.source }) },
          { key: 'sent', title: t('readings.sentAt'), render: (r) => dateTime(r.sentAt) },
          {
            key: 'status',
            title: t('common.status'),
            render: (r) => (
              <span data-testid={`reading-${r.date}-${r.zone}-${r.status}`}>
                <span className={`status status-${r.status}`}>{t(`readings.status.${r.status}`)}</span>
                {r.status === 'rejected' && (r.reasonCode || r.reasonText) && (
                  <span className="reason"> — {t(`readings.reason.${r.reasonCode ?? ''}`, { defaultValue: r.reasonText ?? r.reasonCode ?? '' })}</span>
                )}
              </span>
            ),
          },
        ]}
      />
      {readings.data && <OffsetPager offset={offset} limit={LIMIT} total={readings.data.total} count={readings.data.items.length} onChange={setOffset} />}
    </section>
  );
}
