import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { dateTime } from '../../shared/format.js';
import { ErrorNote, Notice } from '../../shared/ui/Feedback.js';
import { Field } from '../shell/Field.js';
import { ActionHistory } from './ActionHistory.js';
import { json, RIGHTS, type Consumer, type Invitation, type Member, type Visit } from './api.js';

const when = dateTime;
/** A current proof: six digits are a code from the app, anything else a recovery code (XXXXX-XXXXX). */
const proof = (text: string) => (/^\d{6}$/.test(text.trim()) ? { code: text.trim() } : { recoveryCode: text.trim().toUpperCase() });

/**
 * Security of the cabinet: two-factor login (turn on with an authenticator app, recovery codes shown
 * once; new recovery codes or turn off with a current code), and per consumer the owner's representatives
 * (invite by e-mail with rights, withdraw an invitation, change rights, revoke), the history of who did
 * what on the consumer's contracts (representatives' actions among them), and who of the supplier's
 * staff looked in.
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
  const regenerate = useMutation({
    mutationFn: () => json<{ recoveryCodes: string[] }>('POST', '/auth/totp/recovery-codes', proof(code)),
    onSuccess: (answer) => {
      setCodes(answer.recoveryCodes);
      setCode('');
      void client.invalidateQueries({ queryKey: ['totp'] });
    },
  });
  const disable = useMutation({
    mutationFn: () => json('POST', '/auth/totp/disable', proof(code)),
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
      {status.data?.enabled && (
        <form
          aria-label={t('security.totp.manage')}
          onSubmit={(e) => {
            e.preventDefault();
            regenerate.mutate();
          }}
        >
          <Field label={t('security.totp.currentCode')} hint={t('security.totp.currentCodeHint')}>
            <input name="totp-current" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} />
          </Field>
          <div className="row">
            <button type="submit" disabled={regenerate.isPending}>
              {t('security.totp.regenerate')}
            </button>
            {!status.data.required && (
              <button type="button" disabled={disable.isPending || !code.trim()} onClick={() => disable.mutate()}>
                {t('security.totp.disable')}
              </button>
            )}
          </div>
        </form>
      )}
      <ErrorNote error={enrol.error ?? confirm.error ?? regenerate.error ?? disable.error} />
    </section>
  );
}

function ConsumerSecurity({ consumer }: { consumer: Consumer }) {
  const { t } = useTranslation();
  const base = `/api/consumers/${encodeURIComponent(consumer.consumerRef)}`;
  const owner = consumer.role === 'owner';
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
      <ActionHistory consumerRef={consumer.consumerRef} />
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
  const withdraw = useMutation({ mutationFn: (invitationId: string) => json('DELETE', `${base}/invitations/${invitationId}`), onSuccess: refresh });
  return (
    <>
      <h3>{t('security.members.title')}</h3>
      <ErrorNote error={members.error ?? revoke.error} />
      <ul aria-label={t('security.members.title')} className="members">
        {members.data?.items.map((m) => (
          <li key={m.userId}>
            {m.displayName || m.login} ({m.login}) — {t(`security.roles.${m.role}`)} — {m.rights.map((r) => t(`security.rights.${r}`)).join(', ')}{' '}
            {m.role === 'representative' && (
              <>
                <RightsEditor base={base} member={m} onSaved={refresh} />
                <button type="button" onClick={() => revoke.mutate(m.userId)} aria-label={t('security.members.revokeWho', { who: m.login })}>
                  {t('security.members.revoke')}
                </button>
              </>
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
                {i.email} — {i.rights.map((r) => t(`security.rights.${r}`)).join(', ')}{' '}
                <button type="button" onClick={() => withdraw.mutate(i.id)} aria-label={t('security.invite.withdrawWho', { who: i.email })}>
                  {t('security.invite.withdraw')}
                </button>
              </li>
            ))}
        </ul>
      )}
      <ErrorNote error={withdraw.error} />
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

/** A representative's rights, changed by the owner (view stays: it is what membership means). */
function RightsEditor({ base, member, onSaved }: { base: string; member: Member; onSaved: () => Promise<unknown> }) {
  const { t } = useTranslation();
  const [rights, setRights] = useState<string[]>(member.rights);
  const save = useMutation({ mutationFn: () => json('PUT', `${base}/members/${member.userId}`, { rights }), onSuccess: onSaved });
  const changed = [...rights].sort().join() !== [...member.rights].sort().join();
  return (
    <form
      className="inline"
      aria-label={t('security.members.rightsOf', { who: member.login })}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <fieldset>
        <legend>{t('security.members.rightsOf', { who: member.login })}</legend>
        {RIGHTS.map((r) => (
          <label key={r}>
            <input
              type="checkbox"
              name={`member-right-${r}`}
              checked={r === 'view' || rights.includes(r)}
              disabled={r === 'view'}
              onChange={(e) => setRights((now) => (e.target.checked ? [...now.filter((x) => x !== r), r] : now.filter((x) => x !== r)))}
            />{' '}
            {t(`security.rights.${r}`)}
          </label>
        ))}
      </fieldset>
      <button type="submit" disabled={!changed || save.isPending} aria-label={t('security.members.saveRightsOf', { who: member.login })}>
        {t('security.members.saveRights')}
      </button>
      <ErrorNote error={save.error} />
    </form>
  );
}
