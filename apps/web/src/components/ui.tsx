'use client';

import {
  cloneElement,
  useId,
  useState,
  useSyncExternalStore,
  type FormHTMLAttributes,
  type ReactElement,
  type ReactNode,
} from 'react';

/**
 * A labelled input. The label names the control by id and holds only its text, so tests and
 * screen readers find the control by exactly that name (a select inside a label would add
 * its chosen option to the name).
 */
export function Field({
  label,
  hint,
  children,
}: {
  label: string;
  hint?: string;
  children: ReactElement<{ id?: string }>;
}) {
  const generated = useId();
  const id = children.props.id ?? generated;
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {cloneElement(children, { id })}
      {hint ? <span className="field-hint">{hint}</span> : null}
    </div>
  );
}

const noSubscription = () => () => undefined;

/** False during server rendering and hydration, true once React handles events. */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

/**
 * A form whose controls stay disabled until React can handle its submit: submitted earlier,
 * the browser would send it natively (a sign-in form would put the password in the URL).
 * `method="post"` keeps fields out of the URL even then.
 */
export function Form({ className, children, ...props }: FormHTMLAttributes<HTMLFormElement>) {
  const hydrated = useHydrated();
  return (
    <form method="post" {...props}>
      <fieldset disabled={!hydrated} className={`plain ${className ?? ''}`}>
        {children}
      </fieldset>
    </form>
  );
}

export function Notice({ kind, children }: { kind: 'error' | 'ok' | 'info'; children: ReactNode }) {
  if (!children) return null;
  return (
    <p className={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </p>
  );
}

/** A secret shown once, with a copy button; the page says it will not be shown again. */
export function SecretValue({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="secret">
      <span className="field-label">{label}</span>
      <code data-testid="secret-value">{value}</code>
      <button
        type="button"
        onClick={() => {
          void navigator.clipboard?.writeText(value).then(
            () => setCopied(true),
            () => setCopied(false),
          );
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}

export function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="panel">
      <h2>{title}</h2>
      {children}
    </section>
  );
}

export const formatDate = (d: Date | string | null | undefined): string =>
  d ? new Date(d).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }) : '—';
