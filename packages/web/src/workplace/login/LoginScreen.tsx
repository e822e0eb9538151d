import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, call } from '../../shared/api/client.js';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';

/** Login and password; with LDAP configured on the server the same form checks the directory first. */
export function LoginScreen() {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const submit = useMutation({
    mutationFn: () => call(api.POST('/auth/login', { body: { login, password } })),
    onSuccess: (me) => client.setQueryData(['me'], me),
  });
  return (
    <main className="login">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit.mutate();
        }}
        aria-labelledby="login-title"
      >
        <h1 id="login-title">{t('login.title')}</h1>
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
        <p className="lang-switch">
          <button type="button" className="link" onClick={() => void i18n.changeLanguage(i18n.language === 'ru' ? 'en' : 'ru')}>
            {i18n.language === 'ru' ? 'English' : 'Русский'}
          </button>
        </p>
      </form>
    </main>
  );
}
