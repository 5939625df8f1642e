'use client';

import { API_SCOPES, type ApiScope } from '@sightline/core/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Field, Notice, SecretValue, Section, formatDate, Form } from '~/components/ui';
import { errorMessage, useTRPC } from '~/lib/trpc';
import { useOrg } from '~/lib/use-org';
import { formText } from '~/lib/form';

export default function ApiKeysPage() {
  const { orgId, role, atLeast } = useOrg();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canManage = atLeast('ADMIN');
  const keys = useQuery({ ...trpc.keys.list.queryOptions({ orgId }), enabled: canManage });
  const refresh = () => queryClient.invalidateQueries(trpc.keys.list.queryFilter());
  const create = useMutation(trpc.keys.create.mutationOptions({ onSuccess: refresh }));
  const revoke = useMutation(trpc.keys.revoke.mutationOptions({ onSuccess: refresh }));
  const [formKey, setFormKey] = useState(0);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const scopes: ApiScope[] = API_SCOPES.filter((s) => form.get(`scope-${s}`) === 'on');
    create.mutate({ orgId, name: formText(form, 'name'), scopes }, { onSuccess: () => setFormKey((k) => k + 1) });
  }

  if (!canManage) {
    return (
      <>
        <h1>API keys</h1>
        <Notice kind="info">Your role ({role}) cannot manage API keys; ask an ADMIN.</Notice>
      </>
    );
  }
  return (
    <>
      <h1>API keys</h1>
      <p className="muted">
        Secret keys (sk_…) let servers send telemetry and use the GraphQL and REST APIs. Keep them out of browsers and
        apps.
      </p>
      <Notice kind="error">{keys.error || revoke.error ? errorMessage(keys.error ?? revoke.error) : null}</Notice>
      {keys.data && keys.data.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Key</th>
              <th>Scopes</th>
              <th>Created</th>
              <th>Last used</th>
              <th>Status</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {keys.data.map((key) => (
              <tr key={key.id}>
                <td>{key.name}</td>
                <td>
                  <code>{key.prefix}…</code>
                </td>
                <td>{key.scopes.join(', ')}</td>
                <td>{formatDate(key.createdAt)}</td>
                <td>{formatDate(key.lastUsedAt)}</td>
                <td>{key.revokedAt ? `Revoked ${formatDate(key.revokedAt)}` : 'Active'}</td>
                <td>
                  {key.revokedAt ? null : (
                    <button
                      type="button"
                      className="danger"
                      onClick={() =>
                        window.confirm(`Revoke ${key.name}? Anything using it stops working at once.`) &&
                        revoke.mutate({ orgId, keyId: key.id })
                      }
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : keys.data ? (
        <p className="muted">No secret keys yet.</p>
      ) : null}
      <Section title="Create a secret key">
        {create.data ? (
          <div className="stack">
            <SecretValue label="Secret key" value={create.data.secret} />
            <Notice kind="info">Copy it now: it will not be shown again.</Notice>
          </div>
        ) : null}
        <Form key={formKey} className="stack" onSubmit={onSubmit}>
          <Field label="Key name">
            <input name="name" required maxLength={100} />
          </Field>
          <fieldset className="row" style={{ border: 0, padding: 0 }}>
            <legend className="field-label">Scopes</legend>
            {API_SCOPES.map((scope) => (
              <label key={scope}>
                <input type="checkbox" name={`scope-${scope}`} defaultChecked={scope === 'read'} /> {scope}
              </label>
            ))}
          </fieldset>
          <Notice kind="error">{create.error ? errorMessage(create.error) : null}</Notice>
          <div>
            <button type="submit" disabled={create.isPending}>
              Create key
            </button>
          </div>
        </Form>
      </Section>
    </>
  );
}
