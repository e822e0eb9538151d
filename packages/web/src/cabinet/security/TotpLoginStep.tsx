import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { Field } from '../shell/Field.js';
import { useLoggedIn, type Me } from '../session.js';
import { json } from './api.js';

/** The second login step when the account has two-factor login: the app's 6-digit code or a recovery code. */
export function TotpLoginStep({ challenge }: { challenge: string }) {
  const { t } = useTranslation();
  const loggedIn = useLoggedIn();
  const [code, setCode] = useState('');
  const submit = useMutation({
    mutationFn: () => {
      const given = code.replace(/\s/g, '');
      return json<Me>('POST', '/auth/login/totp', /^[0-9]{6}$/.test(given) ? { challenge, code: given } : { challenge, recoveryCode: given });
    },
    onSuccess: (me) => loggedIn(me),
  });
  return (
    <form
      className="card auth-form"
      aria-labelledby="totp-title"
      onSubmit={(e) => {
        e.preventDefault();
        submit.mutate();
      }}
    >
      <h1 id="totp-title">{t('security.totpStep.title')}</h1>
      <Field label={t('security.totpStep.code')} hint={t('security.totpStep.hint')}>
        <input name="totp" autoComplete="one-time-code" inputMode="text" required value={code} onChange={(e) => setCode(e.target.value)} />
      </Field>
      <ErrorNote error={submit.error} />
      <button type="submit" disabled={submit.isPending}>
        {t('security.totpStep.submit')}
      </button>
    </form>
  );
}
