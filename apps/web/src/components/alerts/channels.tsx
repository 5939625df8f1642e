'use client';

import type { RouterOutputs } from '@sightline/api/trpc';
import { CHANNEL_KINDS, type ChannelKind } from '@sightline/core/contracts';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Field, Form, Notice, SecretValue, formatDate } from '~/components/ui';
import { formText } from '~/lib/form';
import { errorMessage, useTRPC } from '~/lib/trpc';
import { useRefreshAlerts } from './refresh';

export type AlertChannel = RouterOutputs['alerts']['channels'][number];

/** The org's channels; test and delete are the page's, whose notice shows their errors. */
export function ChannelTable({
  channels,
  canManage,
  onTest,
  onDelete,
}: {
  channels: AlertChannel[] | undefined;
  canManage: boolean;
  onTest: (channelId: string) => void;
  onDelete: (channelId: string) => void;
}) {
  if (!channels || channels.length === 0) return <p className="muted">No channels yet.</p>;
  return (
    <table aria-label="Channels">
      <thead>
        <tr>
          <th>Name</th>
          <th>Kind</th>
          <th>Sends to</th>
          <th>State</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {channels.map((c) => {
          const config = c.config as { recipients?: string[]; channel?: string; url?: string };
          return (
            <tr key={c.id}>
              <td>{c.name}</td>
              <td>{c.kind}</td>
              <td>{config.recipients?.join(', ') ?? config.channel ?? config.url}</td>
              <td>{c.flaggedAt ? `Failing since ${formatDate(c.flaggedAt)}` : 'OK'}</td>
              <td>
                {canManage ? (
                  <>
                    <button type="button" onClick={() => onTest(c.id)}>
                      Send test alert
                    </button>{' '}
                    <button
                      type="button"
                      className="danger"
                      onClick={() => window.confirm(`Delete ${c.name}? Rules stop sending to it.`) && onDelete(c.id)}
                    >
                      Delete
                    </button>
                  </>
                ) : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Adds an email, Slack or webhook channel; a webhook's signing secret is shown once, here. */
export function ChannelForm({ orgId }: { orgId: string }) {
  const trpc = useTRPC();
  const refresh = useRefreshAlerts();
  const createChannel = useMutation(trpc.alerts.createChannel.mutationOptions({ onSuccess: refresh }));
  const [kind, setKind] = useState<ChannelKind>('EMAIL');
  // A new key empties the form after each channel is added.
  const [formKey, setFormKey] = useState(0);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = formText(form, 'name');
    const channel =
      kind === 'EMAIL'
        ? {
            kind,
            name,
            recipients: formText(form, 'recipients')
              .split(/[\s,]+/)
              .filter(Boolean),
          }
        : kind === 'SLACK'
          ? { kind, name, token: formText(form, 'token'), channel: formText(form, 'channel') }
          : { kind, name, url: formText(form, 'url') };
    createChannel.mutate({ orgId, channel }, { onSuccess: () => setFormKey((k) => k + 1) });
  }

  return (
    <Form key={formKey} onSubmit={onSubmit} className="stack">
      <Field label="Channel kind">
        <select value={kind} onChange={(e) => setKind(e.target.value as ChannelKind)}>
          {CHANNEL_KINDS.map((k) => (
            <option key={k} value={k}>
              {k.toLowerCase()}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Channel name">
        <input name="name" required maxLength={100} />
      </Field>
      {kind === 'EMAIL' ? (
        <Field label="Recipients" hint="email addresses, comma separated">
          <input name="recipients" required />
        </Field>
      ) : kind === 'SLACK' ? (
        <>
          <Field label="Slack bot token" hint="xoxb-…, with chat:write">
            <input name="token" required autoComplete="off" />
          </Field>
          <Field label="Slack channel">
            <input name="channel" required placeholder="#crashes" />
          </Field>
        </>
      ) : (
        <Field label="Webhook URL">
          <input name="url" type="url" required />
        </Field>
      )}
      <Notice kind="error">{createChannel.error ? errorMessage(createChannel.error) : null}</Notice>
      {createChannel.data?.signingSecret ? (
        <SecretValue label="Webhook signing secret (shown once)" value={createChannel.data.signingSecret} />
      ) : null}
      <div>
        <button type="submit" disabled={createChannel.isPending}>
          Add channel
        </button>
      </div>
    </Form>
  );
}
