import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { Field } from '../shell/Field.js';
import { api, call } from '../api/client.js';
import { useLoggedIn, type Me } from '../session.js';
import { CodeField, NewPassword, ResendButton, type Challenge } from './CodeStep.js';
import { contactBody } from './contact.js';

/** Registration: e-mail or phone → a one-time code → the code, a name and a password → logged in. */
export function RegisterScreen() {
  const { t } = useTranslation();
  const loggedIn = useLoggedIn();
  const [contact, setContact] = useState('');
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');

  const start = useMutation({
    mutationFn: () => call(api.POST('/auth/register', { body: contactBody(contact) })),
    onSuccess: (answer) => setChallenge(answer as Challenge),
  });
  const confirm = useMutation({
    mutationFn: async () => {
      await call(api.POST('/auth/register/{challengeId}/confirm', { params: { path: { challengeId: challenge!.challengeId } }, body: { code, password, ...(name.trim() ? { displayName: name.trim() } : {}) } }));
      return call(api.POST('/auth/login', { body: { login: contact.trim(), password } }));
    },
    onSuccess: (me) => loggedIn(me as Me),
  });

  if (!challenge)
    return (
      <form
        className="card auth-form"
        aria-labelledby="register-title"
        onSubmit={(e) => {
          e.preventDefault();
          start.mutate();
        }}
      >
        <h1 id="register-title">{t('register.title')}</h1>
        <p className="hint">{t('register.intro')}</p>
        <Field label={t('register.contact')} hint={t('register.contactHint')}>
          <input name="contact" autoComplete="username" required value={contact} onChange={(e) => setContact(e.target.value)} />
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
      aria-labelledby="register-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (password === repeat) confirm.mutate();
      }}
    >
      <h1 id="register-title">{t('register.title')}</h1>
      <p role="status">{t('register.codeSent', { contact: contact.trim() })}</p>
      <CodeField value={code} onChange={setCode} />
      <ResendButton challenge={challenge} resend={async () => (await call(api.POST('/auth/register/{challengeId}/resend', { params: { path: { challengeId: challenge.challengeId } } }))) as Challenge} />
      <Field label={t('register.name')} hint={t('register.nameHint')}>
        <input name="displayName" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <NewPassword password={password} repeat={repeat} onPassword={setPassword} onRepeat={setRepeat} />
      <ErrorNote error={confirm.error} />
      <button type="submit" disabled={confirm.isPending || code.length !== 6}>
        {t('register.submit')}
      </button>
      <button type="button" className="link" onClick={() => setChallenge(null)}>
        {t('register.otherContact')}
      </button>
    </form>
  );
}
