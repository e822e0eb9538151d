import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNote, Notice } from '../../shared/ui/Feedback.js';
import { Field } from '../shell/Field.js';
import { json, RIGHTS, type Consumer, type HistoryItem, type Invitation, type Member, type Visit } from './api.js';

const when = (iso: string) => new Date(iso).toLocaleString();

/**
 * Security of the cabinet: two-factor login (turn on with an authenticator app, recovery codes shown
 * once; turn off with a current code), and per consumer the owner's representatives (invite by e-mail
 * with rights, revoke), the history of who did what, and who of the supplier's staff looked in.
 */
export function SecurityScreen() {
  const { t } = useTranslation();
  const consumers = useQuery({ queryKey: ['consumers'], queryFn: () => json<{ items: Consumer[] }>('GET', '/api/consumers') });
  return (
    <section>
      <h1>{t('security.title')}</h1>
      <TwoFactor />
      <ErrorNote error={consumers.error} />
      {consumers.data?.items.map((c) => <ConsumerSecurity key={c.consumerRef} consumer={c} />)}
    </section>
  );
}

function TwoFactor() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const status = useQuery({ queryKey: ['totp'], queryFn: () => json<{ enabled: boolean; required: boolean; recoveryCodesLeft: number }>('GET', '/auth/totp') });
  const [secret, setSecret] = useState<{ secret: string; otpauthUri: string } | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [code, setCode] = useState('');
  const enrol = useMutation({ mutationFn: () => json<{ secret: string; otpauthUri: string }>('POST', '/auth/totp/enrol'), onSuccess: setSecret });
  const confirm = useMutation({
    mutationFn: () => json<{ recoveryCodes: string[] }>('POST', '/auth/totp/confirm', { code: code.trim() }),
    onSuccess: (answer) => {
      setCodes(answer.recoveryCodes);
      setSecret(null);
      setCode('');
      void client.invalidateQueries({ queryKey: ['totp'] });
    },
  });
  const disable = useMutation({
    mutationFn: () => json('POST', '/auth/totp/disable', { code: code.trim() }),
    onSuccess: () => {
      setCode('');
      setCodes(null);
      void client.invalidateQueries({ queryKey: ['totp'] });
    },
  });
  return (
    <section className="card" aria-labelledby="totp-heading">
      <h2 id="totp-heading">{t('security.totp.title')}</h2>
      <ErrorNote error={status.error} />
      {status.data && <p>{status.data.enabled ? t('security.totp.on', { count: status.data.recoveryCodesLeft }) : t('security.totp.off')}</p>}
      {codes && (
        <Notice>
          {t('security.totp.codes')}
          <ul aria-label={t('security.totp.codesLabel')}>
            {codes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
        </Notice>
      )}
      {status.data && !status.data.enabled && !secret && (
        <button type="button" onClick={() => enrol.mutate()} disabled={enrol.isPending}>
          {t('security.totp.enable')}
        </button>
      )}
      {secret && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            confirm.mutate();
          }}
        >
          <p>{t('security.totp.scan')}</p>
          <p>
            <code data-testid="totp-secret">{secret.secret}</code>
          </p>
          <p>
            <a href={secret.otpauthUri}>{t('security.totp.openApp')}</a>
          </p>
          <Field label={t('security.totp.code')}>
            <input name="totp-confirm" inputMode="numeric" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} />
          </Field>
          <button type="submit" disabled={confirm.isPending}>
            {t('security.totp.confirm')}
          </button>
        </form>
      )}
      {status.data?.enabled && !status.data.required && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            disable.mutate();
          }}
        >
          <Field label={t('security.totp.code')}>
            <input name="totp-disable" inputMode="numeric" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} />
          </Field>
          <button type="submit" disabled={disable.isPending}>
            {t('security.totp.disable')}
          </button>
        </form>
      )}
      <ErrorNote error={enrol.error ?? confirm.error ?? disable.error} />
    </section>
  );
}

function ConsumerSecurity({ consumer }: { consumer: Consumer }) {
  const { t } = useTranslation();
  const base = `/api/consumers/${encodeURIComponent(consumer.consumerRef)}`;
  const owner = consumer.role === 'owner';
  const history = useQuery({ queryKey: ['history', consumer.consumerRef], queryFn: () => json<{ items: HistoryItem[] }>('GET', `${base}/history?limit=20`) });
  const visits = useQuery({ queryKey: ['visits', consumer.consumerRef], queryFn: () => json<{ items: Visit[] }>('GET', `${base}/support-visits`) });
  return (
    <section className="card" aria-label={t('security.consumer', { name: consumer.name ?? consumer.consumerRef })}>
      <h2>{consumer.name ?? consumer.consumerRef}</h2>
      {owner && <Representatives base={base} consumerRef={consumer.consumerRef} />}
      <h3>{t('security.visits.title')}</h3>
      <ErrorNote error={visits.error} />
      {visits.data && visits.data.items.length === 0 && <p>{t('security.visits.none')}</p>}
      {visits.data && visits.data.items.length > 0 && (
        <table aria-label={t('security.visits.title')}>
          <thead>
            <tr>
              <th scope="col">{t('security.visits.at')}</th>
              <th scope="col">{t('security.visits.employee')}</th>
              <th scope="col">{t('security.visits.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {visits.data.items.map((v) => (
              <tr key={v.at}>
                <td>{when(v.at)}</td>
                <td>{v.employee.name}</td>
                <td>{v.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>{t('security.history.title')}</h3>
      <ErrorNote error={history.error} />
      {history.data && (
        <ul aria-label={t('security.history.title')}>
          {history.data.items.map((h, i) => (
            <li key={`${h.at}-${i}`}>
              {when(h.at)} — {h.displayName || h.login} — {t(`security.actions.${h.action}`, { defaultValue: h.action })}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Representatives({ base, consumerRef }: { base: string; consumerRef: string }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const members = useQuery({ queryKey: ['members', consumerRef], queryFn: () => json<{ items: Member[] }>('GET', `${base}/members`) });
  const invitations = useQuery({ queryKey: ['invitations', consumerRef], queryFn: () => json<{ items: Invitation[] }>('GET', `${base}/invitations`) });
  const [email, setEmail] = useState('');
  const [rights, setRights] = useState<string[]>(['view']);
  const refresh = () => Promise.all(['members', 'invitations', 'history'].map((k) => client.invalidateQueries({ queryKey: [k, consumerRef] })));
  const invite = useMutation({
    mutationFn: () => json('POST', `${base}/invitations`, { email: email.trim(), rights }),
    onSuccess: async () => {
      setEmail('');
      setRights(['view']);
      await refresh();
    },
  });
  const revoke = useMutation({ mutationFn: (userId: string) => json('DELETE', `${base}/members/${userId}`), onSuccess: refresh });
  return (
    <>
      <h3>{t('security.members.title')}</h3>
      <ErrorNote error={members.error ?? revoke.error} />
      <ul aria-label={t('security.members.title')}>
        {members.data?.items.map((m) => (
          <li key={m.userId}>
            {m.displayName || m.login} ({m.login}) — {t(`security.roles.${m.role}`)} — {m.rights.map((r) => t(`security.rights.${r}`)).join(', ')}{' '}
            {m.role === 'representative' && (
              <button type="button" onClick={() => revoke.mutate(m.userId)} aria-label={t('security.members.revokeWho', { who: m.login })}>
                {t('security.members.revoke')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {invitations.data && invitations.data.items.some((i) => i.status === 'pending') && (
        <ul aria-label={t('security.invite.pending')}>
          {invitations.data.items
            .filter((i) => i.status === 'pending')
            .map((i) => (
              <li key={i.id}>
                {i.email} — {i.rights.map((r) => t(`security.rights.${r}`)).join(', ')}
              </li>
            ))}
        </ul>
      )}
      <form
        aria-label={t('security.invite.title')}
        onSubmit={(e) => {
          e.preventDefault();
          invite.mutate();
        }}
      >
        <Field label={t('security.invite.email')}>
          <input name="invite-email" type="email" autoComplete="off" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <fieldset>
          <legend>{t('security.invite.rights')}</legend>
          {RIGHTS.map((r) => (
            <label key={r}>
              <input
                type="checkbox"
                name={`right-${r}`}
                checked={r === 'view' || rights.includes(r)}
                disabled={r === 'view'}
                onChange={(e) => setRights((now) => (e.target.checked ? [...now, r] : now.filter((x) => x !== r)))}
              />{' '}
              {t(`security.rights.${r}`)}
            </label>
          ))}
        </fieldset>
        <ErrorNote error={invite.error} />
        {invite.isSuccess && <Notice>{t('security.invite.sent')}</Notice>}
        <button type="submit" disabled={invite.isPending}>
          {t('security.invite.submit')}
        </button>
      </form>
    </>
  );
}
