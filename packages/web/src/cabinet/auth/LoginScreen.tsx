import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNote, Notice } from '../../shared/ui/Feedback.js';
import { Field } from '../shell/Field.js';
import { api, call } from '../api/client.js';
import { useLoggedIn, type Me } from '../session.js';
import { TotpLoginStep } from '../security/TotpLoginStep.js';

/**
 * Login by e-mail or phone and password. One component on purpose: a further step (a TOTP code when the
 * account has two-factor login) becomes another `step` here, answered from the same first response.
 */
export function LoginScreen({ notice }: { notice?: string }) {
  const { t } = useTranslation();
  const loggedIn = useLoggedIn();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [challenge, setChallenge] = useState<string | null>(null);
  const submit = useMutation({
    mutationFn: () => call(api.POST('/auth/login', { body: { login: login.trim(), password } })),
    onSuccess: (answer) => {
      const step = answer as Me | { status: 'totp_required'; challenge: string };
      if ('status' in step && step.status === 'totp_required') setChallenge(step.challenge);
      else loggedIn(step as Me);
    },
  });
  if (challenge) return <TotpLoginStep challenge={challenge} />;
  return (
    <form
      className="card auth-form"
      onSubmit={(e) => {
        e.preventDefault();
        submit.mutate();
      }}
      aria-labelledby="login-title"
    >
      <h1 id="login-title">{t('login.title')}</h1>
      {notice && <Notice>{notice}</Notice>}
      <Field label={t('login.login')} hint={t('login.loginHint')}>
        <input name="login" autoComplete="username" required value={login} onChange={(e) => setLogin(e.target.value)} />
      </Field>
      <Field label={t('login.password')}>
        <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      </Field>
      <ErrorNote error={submit.error} />
      <button type="submit" disabled={submit.isPending}>
        {t('login.submit')}
      </button>
    </form>
  );
}
