import { cloneElement, isValidElement, useId, type ReactElement, type ReactNode } from 'react';

/**
 * A labelled form field of the cabinet: the label names the control (and only the label: the hint and
 * the inline error are its description, read after the name), `aria-invalid` when there is an error.
 */
export function Field({ label, hint, error, warning, children }: { label: string; hint?: ReactNode; error?: ReactNode; warning?: ReactNode; children: ReactElement<Record<string, unknown>> }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const described = [hint ? hintId : null, error || warning ? errorId : null].filter(Boolean).join(' ') || undefined;
  const control = isValidElement(children) ? cloneElement(children, { id, 'aria-describedby': described, ...(error ? { 'aria-invalid': true } : {}) }) : children;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {control}
      {hint && (
        <small id={hintId} className="hint">
          {hint}
        </small>
      )}
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : warning ? (
        <p id={errorId} className="field-warning">
          {warning}
        </p>
      ) : null}
    </div>
  );
}
