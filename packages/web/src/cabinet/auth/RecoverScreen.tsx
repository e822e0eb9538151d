import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { Field } from '../shell/Field.js';
import { api, call } from '../api/client.js';
import { useRouter } from '../../shared/router.js';
import { CodeField, NewPassword, ResendButton, type Challenge } from './CodeStep.js';
import { LoginScreen } from './LoginScreen.js';

/** Password recovery: the login → a one-time code to it → the code and a new password → the login form. */
export function RecoverScreen() {
  const { t } = useTranslation();
  const { navigate } = useRouter();
  const [login, setLogin] = useState('');
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const start = useMutation({
    mutationFn: () => call(api.POST('/auth/password/forgot', { body: { login: login.trim() } })),
    onSuccess: (answer) => setChallenge(answer as Challenge),
  });
  const reset = useMutation({
    mutationFn: () => call(api.POST('/auth/password/{challengeId}/reset', { params: { path: { challengeId: challenge!.challengeId } }, body: { code, password } })),
  });

  if (reset.isSuccess) return <LoginScreen notice={t('recover.done')} />;
  if (!challenge)
    return (
      <form
        className="card auth-form"
        aria-labelledby="recover-title"
        onSubmit={(e) => {
          e.preventDefault();
          start.mutate();
        }}
      >
        <h1 id="recover-title">{t('recover.title')}</h1>
        <Field label={t('login.login')} hint={t('login.loginHint')}>
          <input name="login" autoComplete="username" required value={login} onChange={(e) => setLogin(e.target.value)} />
        </Field>
        <ErrorNote error={start.error} />
        <button type="submit" disabled={start.isPending}>
          {t('register.sendCode')}
        </button>
      </form>
    );
  return (
    <form
      className="card auth-form"
      aria-labelledby="recover-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (password === repeat) reset.mutate();
      }}
    >
      <h1 id="recover-title">{t('recover.title')}</h1>
      <p role="status">{t('recover.codeSent')}</p>
      <CodeField value={code} onChange={setCode} />
      <ResendButton challenge={challenge} resend={async () => (await call(api.POST('/auth/password/{challengeId}/resend', { params: { path: { challengeId: challenge.challengeId } } }))) as Challenge} />
      <NewPassword password={password} repeat={repeat} onPassword={setPassword} onRepeat={setRepeat} />
      <ErrorNote error={reset.error} />
      <button type="submit" disabled={reset.isPending || code.length !== 6}>
        {t('recover.submit')}
      </button>
      <button type="button" className="link" onClick={() => navigate('/login')}>
        {t('auth.toLogin')}
      </button>
    </form>
  );
}
