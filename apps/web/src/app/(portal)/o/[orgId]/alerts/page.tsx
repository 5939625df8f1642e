'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Field, Form, Notice, SecretValue, Section, formatDate } from '../../../../../components/ui';
import { formText } from '../../../../../lib/form';
import { errorMessage, useTRPC } from '../../../../../lib/trpc';
import { useOrg } from '../../../../../lib/use-org';

const KINDS = ['EMAIL', 'SLACK', 'WEBHOOK'] as const;
const RULE_KINDS = [
  ['NEW_CRASH_GROUP', 'A new crash'],
  ['REGRESSION', 'A resolved crash comes back'],
  ['CRASH_SPIKE', 'A crash spikes'],
] as const;
type Kind = (typeof KINDS)[number];
type RuleKind = (typeof RULE_KINDS)[number][0];

/** Where alerts go (channels), when they fire (rules), and what was sent (the delivery log). */
export default function AlertsPage() {
  const { orgId, role, atLeast } = useOrg();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries(trpc.alerts.pathFilter());
  const channels = useQuery(trpc.alerts.channels.queryOptions({ orgId }));
  const rules = useQuery(trpc.alerts.rules.queryOptions({ orgId }));
  const deliveries = useQuery(trpc.alerts.deliveries.queryOptions({ orgId, limit: 50 }));
  const apps = useQuery(trpc.apps.list.queryOptions({ orgId }));
  const createChannel = useMutation(trpc.alerts.createChannel.mutationOptions({ onSuccess: refresh }));
  const deleteChannel = useMutation(trpc.alerts.deleteChannel.mutationOptions({ onSuccess: refresh }));
  const testAlert = useMutation(trpc.alerts.sendTestAlert.mutationOptions({ onSuccess: refresh }));
  const createRule = useMutation(trpc.alerts.createRule.mutationOptions({ onSuccess: refresh }));
  const deleteRule = useMutation(trpc.alerts.deleteRule.mutationOptions({ onSuccess: refresh }));
  const [kind, setKind] = useState<Kind>('EMAIL');
  const [ruleKind, setRuleKind] = useState<RuleKind>('NEW_CRASH_GROUP');
  const [formKey, setFormKey] = useState(0);
  const canManage = atLeast('MEMBER');
  const channelName = (id: string) => channels.data?.find((c) => c.id === id)?.name ?? id;

  function onCreateChannel(event: FormEvent<HTMLFormElement>) {
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

  function onCreateRule(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const app = formText(form, 'app');
    const threshold = formText(form, 'threshold');
    createRule.mutate(
      {
        orgId,
        rule: {
          name: formText(form, 'name'),
          kind: ruleKind,
          appId: app ? Number(app) : null,
          channelIds: form.getAll('channels').filter((v): v is string => typeof v === 'string'),
          throttleMinutes: Number(formText(form, 'throttle') || 60),
          ...(ruleKind === 'CRASH_SPIKE'
            ? { conditions: { threshold: Number(threshold), windowMinutes: Number(formText(form, 'window') || 60) } }
            : {}),
        },
      },
      { onSuccess: () => setFormKey((k) => k + 1) },
    );
  }

  return (
    <>
      <h1>Alerts</h1>
      {!canManage ? <Notice kind="info">Your role ({role}) can see alert settings but not change them.</Notice> : null}
      <Notice kind="error">
        {channels.error || rules.error || deleteChannel.error || deleteRule.error || testAlert.error
          ? errorMessage(channels.error ?? rules.error ?? deleteChannel.error ?? deleteRule.error ?? testAlert.error)
          : null}
      </Notice>
      <Section title="Channels">
        {channels.data && channels.data.length > 0 ? (
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
              {channels.data.map((c) => {
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
                          <button type="button" onClick={() => testAlert.mutate({ orgId, channelId: c.id })}>
                            Send test alert
                          </button>{' '}
                          <button
                            type="button"
                            className="danger"
                            onClick={() =>
                              window.confirm(`Delete ${c.name}? Rules stop sending to it.`) &&
                              deleteChannel.mutate({ orgId, channelId: c.id })
                            }
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
        ) : (
          <p className="muted">No channels yet.</p>
        )}
        {testAlert.data ? <Notice kind="ok">Test alert queued; see the delivery log below.</Notice> : null}
        {canManage ? (
          <Form key={`c${formKey}`} onSubmit={onCreateChannel} className="stack">
            <Field label="Channel kind">
              <select value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
                {KINDS.map((k) => (
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
        ) : null}
      </Section>
      <Section title="Rules">
        {rules.data && rules.data.length > 0 ? (
          <table aria-label="Rules">
            <thead>
              <tr>
                <th>Name</th>
                <th>When</th>
                <th>App</th>
                <th>Channels</th>
                <th>Last fired</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rules.data.map((r) => (
                <tr key={r.id}>
                  <td>{r.name}</td>
                  <td>
                    {RULE_KINDS.find(([k]) => k === r.kind)?.[1] ?? r.kind}
                    {r.kind === 'CRASH_SPIKE' ? <code> {JSON.stringify(r.conditions)}</code> : null}
                  </td>
                  <td>
                    {r.appId === null ? 'every app' : (apps.data?.find((a) => a.id === r.appId)?.name ?? r.appId)}
                  </td>
                  <td>{r.channels.map((c) => channelName(c.channelId)).join(', ')}</td>
                  <td>{formatDate(r.lastTriggeredAt)}</td>
                  <td>
                    {canManage ? (
                      <button
                        type="button"
                        className="danger"
                        onClick={() => deleteRule.mutate({ orgId, ruleId: r.id })}
                      >
                        Delete
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">No rules yet.</p>
        )}
        {canManage && channels.data && channels.data.length > 0 ? (
          <Form key={`r${formKey}`} onSubmit={onCreateRule} className="stack">
            <Field label="Rule name">
              <input name="name" required maxLength={100} />
            </Field>
            <Field label="Alert when">
              <select value={ruleKind} onChange={(e) => setRuleKind(e.target.value as RuleKind)}>
                {RULE_KINDS.map(([k, label]) => (
                  <option key={k} value={k}>
                    {label}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="App">
              <select name="app" defaultValue="">
                <option value="">every app</option>
                {apps.data?.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name}
                  </option>
                ))}
              </select>
            </Field>
            {ruleKind === 'CRASH_SPIKE' ? (
              <div className="row">
                <Field label="Occurrences at least">
                  <input name="threshold" type="number" min={1} required />
                </Field>
                <Field label="Within minutes">
                  <input name="window" type="number" min={1} max={1440} defaultValue={60} />
                </Field>
              </div>
            ) : null}
            <Field label="At most once per minutes" hint="per crash group, rule and channel">
              <input name="throttle" type="number" min={1} defaultValue={60} />
            </Field>
            <fieldset className="row" style={{ border: 0, padding: 0 }}>
              <legend className="field-label">Send to</legend>
              {channels.data.map((c) => (
                <label key={c.id}>
                  <input type="checkbox" name="channels" value={c.id} /> {c.name}
                </label>
              ))}
            </fieldset>
            <Notice kind="error">{createRule.error ? errorMessage(createRule.error) : null}</Notice>
            <div>
              <button type="submit" disabled={createRule.isPending}>
                Add rule
              </button>
            </div>
          </Form>
        ) : null}
      </Section>
      <Section title="Delivery log">
        {deliveries.data && deliveries.data.length > 0 ? (
          <table aria-label="Delivery log">
            <thead>
              <tr>
                <th>When</th>
                <th>Channel</th>
                <th>Alert</th>
                <th>Status</th>
                <th>Attempts</th>
                <th>Last error</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.data.map((d) => (
                <tr key={d.id}>
                  <td>{formatDate(d.createdAt)}</td>
                  <td>{channelName(d.channelId)}</td>
                  <td>{(d.payload as { title?: string } | null)?.title ?? '—'}</td>
                  <td>{d.status}</td>
                  <td>{d.attempts}</td>
                  <td>{d.lastError ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">Nothing sent yet.</p>
        )}
      </Section>
    </>
  );
}
