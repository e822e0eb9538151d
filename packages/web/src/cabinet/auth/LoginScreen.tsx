import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNote, Notice } from '../../shared/ui/Feedback.js';
import { Field } from '../shell/Field.js';
import { api, call } from '../api/client.js';
import { useLoggedIn, type Me } from '../session.js';

/**
 * Login by e-mail or phone and password. One component on purpose: a further step (a TOTP code when the
 * account has two-factor login) becomes another `step` here, answered from the same first response.
 */
export function LoginScreen({ notice }: { notice?: string }) {
  const { t } = useTranslation();
  const loggedIn = useLoggedIn();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const submit = useMutation({
    mutationFn: () => call(api.POST('/auth/login', { body: { login: login.trim(), password } })),
    onSuccess: (me) => loggedIn(me as Me),
  });
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
