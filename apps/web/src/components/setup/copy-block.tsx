'use client';

import { useState } from 'react';

/** A block of code with a Copy button; `testId` lets tests read exactly what a user would copy. */
export function CopyBlock({ label, code, testId }: { label: string; code: string; testId?: string }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  return (
    <figure className="code-block">
      <figcaption>
        <span className="field-label">{label}</span>
        <button
          type="button"
          className="secondary"
          aria-label={`Copy ${label}`}
          onClick={() => {
            // Without clipboard access (plain http on another host) the user selects the text instead.
            void (navigator.clipboard?.writeText(code) ?? Promise.reject(new Error('no clipboard'))).then(
              () => setCopied('yes'),
              () => setCopied('failed'),
            );
          }}
        >
          {copied === 'yes' ? 'Copied' : 'Copy'}
        </button>
      </figcaption>
      <pre>
        <code data-testid={testId}>{code}</code>
      </pre>
      {copied === 'failed' ? (
        <p className="field-hint">The browser refused the clipboard: select the text and copy it.</p>
      ) : null}
    </figure>
  );
}
