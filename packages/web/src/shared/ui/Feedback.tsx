import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.js';

/**
 * An error as a person reads it: the message of its stable code from the catalogue (errors.<code>),
 * the server's text otherwise, and the offending fields.
 */
export function ErrorNote({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  const api = error instanceof ApiError ? error : null;
  const text = api ? t(`errors.${api.code}`, { defaultValue: api.message }) : String((error as Error).message ?? error);
  return (
    <div role="alert" className="error">
      {text}
      {api && api.errors.length > 0 && (
        <ul>
          {api.errors.map((e) => (
            <li key={e.field + (e.code ?? '')}>
              {e.field}: {t(`errors.${e.code ?? 'invalid'}`, { defaultValue: e.message ?? e.code ?? '' })}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <div role="status" className="notice">
      {children}
    </div>
  );
}

/** Progress of long work (registry apply, report jobs): a real <progress> with a spoken label. */
export function Progress({ value, label }: { value: number | null; label: string }) {
  return (
    <div className="progress">
      <label>
        {label}
        <progress max={100} value={value ?? undefined} aria-valuetext={value === null ? undefined : `${value}%`} />
      </label>
      {value !== null && <span>{value}%</span>}
    </div>
  );
}

export function Field({ label, children, hint }: { label: string; children: ReactNode; hint?: string }) {
  return (
    <label className="field">
      <span>{label}</span>
      {children}
      {hint && <small>{hint}</small>}
    </label>
  );
}
