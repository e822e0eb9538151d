import { useMutation } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { Field } from '../shell/Field.js';

export interface Challenge {
  challengeId: string;
  expiresAt: string;
  resendAfterSeconds: number;
}

/** "Send again" that waits the seconds the server asked for, counting down aloud for screen readers only at the end. */
export function ResendButton({ challenge, resend }: { challenge: Challenge; resend: () => Promise<Challenge> }) {
  const { t } = useTranslation();
  const [current, setCurrent] = useState(challenge);
  const [wait, setWait] = useState(challenge.resendAfterSeconds);
  useEffect(() => {
    setWait(current.resendAfterSeconds);
    const timer = setInterval(() => setWait((w) => (w > 0 ? w - 1 : 0)), 1000);
    return () => clearInterval(timer);
  }, [current]);
  const again = useMutation({ mutationFn: resend, onSuccess: setCurrent });
  return (
    <div className="row">
      <button type="button" className="link" disabled={wait > 0 || again.isPending} onClick={() => again.mutate()}>
        {wait > 0 ? t('auth.resendIn', { seconds: wait }) : t('auth.resend')}
      </button>
      {again.isSuccess && <span role="status">{t('auth.resent')}</span>}
      <ErrorNote error={again.error} />
    </div>
  );
}

/** The six-digit code field: digits only, the phone's keypad, the browser may fill it from the SMS. */
export function CodeField({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const { t } = useTranslation();
  return (
    <Field label={t('auth.code')} hint={t('auth.codeHint')}>
      <input
        name="code"
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern="[0-9]{6}"
        maxLength={6}
        required
        value={value}
        onChange={(e) => onChange(e.target.value.replace(/\D/g, '').slice(0, 6))}
      />
    </Field>
  );
}

/** New password twice; the rules are the server's (10+ characters, not the login): shown before sending. */
export function NewPassword({ password, repeat, onPassword, onRepeat }: { password: string; repeat: string; onPassword: (v: string) => void; onRepeat: (v: string) => void }) {
  const { t } = useTranslation();
  const mismatch = repeat.length > 0 && repeat !== password;
  return (
    <>
      <Field label={t('auth.newPassword')} hint={t('auth.passwordHint')}>
        <input name="password" type="password" autoComplete="new-password" minLength={10} required value={password} onChange={(e) => onPassword(e.target.value)} />
      </Field>
      <Field label={t('auth.repeatPassword')} error={mismatch ? t('auth.mismatch') : undefined}>
        <input name="repeat" type="password" autoComplete="new-password" required value={repeat} onChange={(e) => onRepeat(e.target.value)} />
      </Field>
    </>
  );
}
