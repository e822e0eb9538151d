import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNote, Field, Notice } from '../../shared/ui/Feedback.js';
import { api, call, type Ok } from '../api/client.js';

type Me = Ok<'/auth/me', 'get'>;
interface TotpRequired {
  status: 'totp_required';
  challenge: string;
  expiresAt: string;
}
const needsCode = (answer: unknown): answer is TotpRequired => typeof answer === 'object' && answer !== null && (answer as { status?: unknown }).status === 'totp_required';

/**
 * The whole staff login in one place: login and password; then, where two-factor login is on, the
 * code of the authenticator app (or a recovery code) for the challenge the password step gave. A
 * first login where it is required enrols an authenticator (TotpEnrolment below) before anything else.
 */
export function LoginScreen() {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [challenge, setChallenge] = useState<TotpRequired | null>(null);
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState(false);
  const signIn = (me: Me) => client.setQueryData(['me'], me);
  const submit = useMutation({
    mutationFn: async () => (await call(api.POST('/auth/login', { body: { login, password } }))) as unknown,
    onSuccess: (answer) => {
      if (needsCode(answer)) setChallenge(answer);
      else signIn(answer as Me);
    },
  });
  const second = useMutation({
    mutationFn: () => call(api.POST('/auth/login/totp', { body: { challenge: challenge!.challenge, ...(recovery ? { recoveryCode: code.trim() } : { code: code.trim() }) } })),
    onSuccess: (me) => signIn(me as unknown as Me),
    onError: (error) => {
      // The password step expired or was tried too often: start again from the password.
      if ((error as { code?: string }).code === 'login_challenge_invalid') setChallenge(null);
    },
  });
  const language = (
    <p className="lang-switch">
      <button type="button" className="link" lang={i18n.language === 'ru' ? 'en' : 'ru'} onClick={() => void i18n.changeLanguage(i18n.language === 'ru' ? 'en' : 'ru')}>
        {i18n.language === 'ru' ? 'English' : 'Русский'}
      </button>
    </p>
  );
  if (challenge) {
    return (
      <main className="login">
        <form onSubmit={(e) => (e.preventDefault(), second.mutate())} aria-labelledby="login-title">
          <h1 id="login-title">{t('login.codeTitle')}</h1>
          <p className="hint">{recovery ? t('login.recoveryHint') : t('login.codeHint')}</p>
          {recovery ? (
            <Field label={t('login.recoveryCode')}>
              <input name="recoveryCode" autoComplete="off" required value={code} onChange={(e) => setCode(e.target.value)} />
            </Field>
          ) : (
            <Field label={t('login.code')}>
              <input name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required value={code} onChange={(e) => setCode(e.target.value)} />
            </Field>
          )}
          <ErrorNote error={second.error} />
          <button type="submit" disabled={second.isPending}>
            {t('login.submit')}
          </button>
          <button type="button" className="link" onClick={() => (setRecovery(!recovery), setCode(''))}>
            {recovery ? t('login.useCode') : t('login.useRecovery')}
          </button>
          <button type="button" className="link" onClick={() => (setChallenge(null), setCode(''), second.reset())}>
            {t('login.again')}
          </button>
          {language}
        </form>
      </main>
    );
  }
  return (
    <main className="login">
      <form onSubmit={(e) => (e.preventDefault(), submit.mutate())} aria-labelledby="login-title">
        <h1 id="login-title">{t('login.title')}</h1>
        <p className="hint">{t('login.hint')}</p>
        <Field label={t('login.login')}>
          <input name="login" autoComplete="username" required value={login} onChange={(e) => setLogin(e.target.value)} />
        </Field>
        <Field label={t('login.password')}>
          <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <ErrorNote error={submit.error} />
        <button type="submit" disabled={submit.isPending}>
          {t('login.submit')}
        </button>
        {language}
      </form>
    </main>
  );
}

/**
 * Two-factor login is required and this user has no authenticator yet: the session can do nothing
 * else. A new secret (shown once, as text and as the otpauth:// address apps take), the first code
 * confirms it, then the recovery codes are shown once.
 */
export function TotpEnrolment({ onDone, onLogout }: { onDone: () => void; onLogout: () => void }) {
  const { t } = useTranslation();
  const [code, setCode] = useState('');
  const enrol = useMutation({ mutationFn: () => call(api.POST('/auth/totp/enrol')) });
  const confirm = useMutation({ mutationFn: () => call(api.POST('/auth/totp/confirm', { body: { code: code.trim() } })) });
  return (
    <main className="login">
      <form onSubmit={(e) => (e.preventDefault(), enrol.data ? confirm.mutate() : enrol.mutate())} aria-labelledby="enrol-title">
        <h1 id="enrol-title">{t('totp.title')}</h1>
        {!confirm.data && <p className="hint">{t('totp.why')}</p>}
        {enrol.data && !confirm.data && (
          <>
            <p>{t('totp.scan')}</p>
            <p>
              {t('totp.secret')}: <code data-testid="totp-secret">{enrol.data.secret}</code>
            </p>
            <p className="hint">
              <code className="wrap">{enrol.data.otpauthUri}</code>
            </p>
            <Field label={t('login.code')}>
              <input name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required value={code} onChange={(e) => setCode(e.target.value)} />
            </Field>
          </>
        )}
        {confirm.data && (
          <>
            <Notice>{t('totp.enabled')}</Notice>
            <p>{t('totp.recovery')}</p>
            <ul className="recovery" data-testid="recovery-codes">
              {confirm.data.recoveryCodes.map((c) => (
                <li key={c}>
                  <code>{c}</code>
                </li>
              ))}
            </ul>
          </>
        )}
        <ErrorNote error={enrol.error ?? confirm.error} />
        {!confirm.data && (
          <button type="submit" disabled={enrol.isPending || confirm.isPending}>
            {enrol.data ? t('totp.confirm') : t('totp.start')}
          </button>
        )}
        {confirm.data && (
          <button type="button" onClick={onDone}>
            {t('totp.continue')}
          </button>
        )}
        <button type="button" className="link" onClick={onLogout}>
          {t('app.logout')}
        </button>
      </form>
    </main>
  );
}
