import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { json, type Ok } from '../../shared/api/client.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';
import { clientKey } from './ClientCardScreen.js';

type Identifier = Ok<'/api/staff/clients/{id}', 'get'>['accounts'][number]['identifiers'][number];
const KINDS = ['card_uid', 'qr', 'nfc', 'employee_number'] as const;
const REASONS = ['lost', 'stolen', 'destroyed', 'other'] as const;

/** Identifiers of an account: bind a new one; block (goes on the stop-list), re-issue or unbind an active one. */
export function IdentifiersPanel({ clientId, accountId, identifiers }: { clientId: string; accountId: string; identifiers: Identifier[] }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [bind, setBind] = useState({ kind: 'card_uid' as string, value: '' });
  const [action, setAction] = useState<{ id: string; mode: 'block' | 'reissue'; reason: string; kind: string; value: string } | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: clientKey(clientId) });
  const run = useMutation({
    mutationFn: async (step: { method: string; url: string; body?: object }) => json(step.method, step.url, step.body),
    onSuccess: () => {
      setAction(null);
      setBind({ kind: bind.kind, value: '' });
      return refresh();
    },
  });
  return (
    <div className="identifiers">
      <h4>{t('identifier.title')}</h4>
      <DataTable
        caption={t('identifier.title')}
        rows={identifiers}
        rowKey={(i) => i.id}
        columns={[
          { key: 'kind', title: t('identifier.kind'), render: (i) => t(`identifier.kinds.${i.kind}`) },
          { key: 'value', title: t('identifier.value'), render: (i) => <code>{i.value}</code> },
          { key: 'status', title: t('common.status'), render: (i) => `${t(`status.${i.status}`)}${i.blockReason ? ` (${t(`identifier.reasons.${i.blockReason}`)})` : ''}` },
          {
            key: 'actions',
            title: t('common.actions'),
            render: (i) =>
              i.status === 'active' ? (
                <span className="row">
                  <button type="button" onClick={() => setAction({ id: i.id, mode: 'block', reason: 'lost', kind: i.kind, value: '' })}>
                    {t('identifier.block')}
                  </button>
                  <button type="button" onClick={() => setAction({ id: i.id, mode: 'reissue', reason: 'lost', kind: i.kind, value: '' })}>
                    {t('identifier.reissue')}
                  </button>
                  <button type="button" onClick={() => window.confirm(t('identifier.unbindConfirm')) && run.mutate({ method: 'POST', url: `/api/identifiers/${i.id}/unbind` })}>
                    {t('identifier.unbind')}
                  </button>
                </span>
              ) : null,
          },
        ]}
      />
      {action && (
        <form
          className="panel inline"
          aria-label={t(`identifier.${action.mode}`)}
          onSubmit={(e) => {
            e.preventDefault();
            run.mutate(
              action.mode === 'block'
                ? { method: 'POST', url: `/api/identifiers/${action.id}/block`, body: { reason: action.reason } }
                : { method: 'POST', url: `/api/identifiers/${action.id}/reissue`, body: { reason: action.reason, replacement: { kind: action.kind, value: action.value } } },
            );
          }}
        >
          <Field label={t('identifier.reason')}>
            <select value={action.reason} onChange={(e) => setAction({ ...action, reason: e.target.value })}>
              {REASONS.map((r) => (
                <option key={r} value={r}>
                  {t(`identifier.reasons.${r}`)}
                </option>
              ))}
            </select>
          </Field>
          {action.mode === 'reissue' && (
            <Field label={t('identifier.newValue')}>
              <input name="replacement" required value={action.value} onChange={(e) => setAction({ ...action, value: e.target.value })} />
            </Field>
          )}
          <button type="submit" disabled={run.isPending}>
            {t(`identifier.${action.mode}`)}
          </button>
          <button type="button" onClick={() => setAction(null)}>
            {t('common.cancel')}
          </button>
        </form>
      )}
      <form
        className="inline"
        aria-label={t('identifier.bind')}
        onSubmit={(e) => {
          e.preventDefault();
          run.mutate({ method: 'POST', url: `/api/accounts/${accountId}/identifiers`, body: bind });
        }}
      >
        <Field label={t('identifier.kind')}>
          <select value={bind.kind} onChange={(e) => setBind({ ...bind, kind: e.target.value })}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`identifier.kinds.${k}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('identifier.value')}>
          <input name="identifier" required value={bind.value} onChange={(e) => setBind({ ...bind, value: e.target.value })} />
        </Field>
        <button type="submit" disabled={run.isPending}>
          {t('identifier.bind')}
        </button>
      </form>
      <ErrorNote error={run.error} />
    </div>
  );
}
