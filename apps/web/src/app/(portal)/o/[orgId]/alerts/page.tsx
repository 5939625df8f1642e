'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Field, Form, Notice, SecretValue, Section, formatDate } from '~/components/ui';
import { formText } from '~/lib/form';
import { errorMessage, useTRPC } from '~/lib/trpc';
import { useOrg } from '~/lib/use-org';

const KINDS = ['EMAIL', 'SLACK', 'WEBHOOK'] as const;
const RULE_KINDS = [
  ['NEW_CRASH_GROUP', 'A new crash'],
  ['REGRESSION', 'A resolved crash comes back'],
  ['CRASH_SPIKE', 'A crash spikes'],
  ['CRASH_FREE_DROP', 'Crash-free users drop'],
  ['PERF_THRESHOLD', 'A performance metric crosses a threshold'],
] as const;
const AGGREGATES = ['p50', 'p75', 'p90', 'p95', 'p99', 'avg', 'max', 'count'] as const;

interface RuleConditions {
  windowMinutes?: number;
  threshold?: number;
  baselineFactor?: number;
  crashFreeBelow?: number;
  eventType?: string;
  metricName?: string;
  aggregate?: string;
  operator?: string;
}

/** What a rule's conditions say, in words. */
function describeConditions(kind: string, c: RuleConditions): string {
  const window = `${c.windowMinutes ?? 60} min`;
  if (kind === 'CRASH_SPIKE')
    return [
      c.threshold !== undefined ? `≥ ${c.threshold} in ${window}` : null,
      c.baselineFactor !== undefined ? `> ${c.baselineFactor}× baseline` : null,
    ]
      .filter(Boolean)
      .join(' or ');
  if (kind === 'CRASH_FREE_DROP') return `below ${c.crashFreeBelow ?? '?'}% over ${window}`;
  if (kind === 'PERF_THRESHOLD')
    return `${c.eventType ?? '?'}${c.metricName ? ` ${c.metricName}` : ''} ${c.aggregate ?? 'p75'} ${c.operator ?? 'above'} ${c.threshold ?? '?'} over ${window}`;
  return '';
}
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
    const windowMinutes = Number(formText(form, 'window') || 60);
    const digest = formText(form, 'digest');
    const quietStart = formText(form, 'quietStart');
    const quietEnd = formText(form, 'quietEnd');
    const conditions =
      ruleKind === 'CRASH_SPIKE'
        ? { threshold: Number(threshold), windowMinutes }
        : ruleKind === 'CRASH_FREE_DROP'
          ? { crashFreeBelow: Number(threshold), windowMinutes, minUsers: Number(formText(form, 'minimum') || 20) }
          : ruleKind === 'PERF_THRESHOLD'
            ? {
                eventType: formText(form, 'eventType'),
                ...(formText(form, 'metricName') ? { metricName: formText(form, 'metricName') } : {}),
                aggregate: formText(form, 'aggregate'),
                operator: formText(form, 'operator'),
                threshold: Number(threshold),
                windowMinutes,
                minSamples: Number(formText(form, 'minimum') || 20),
              }
            : {};
    createRule.mutate(
      {
        orgId,
        rule: {
          name: formText(form, 'name'),
          kind: ruleKind,
          appId: app ? Number(app) : null,
          channelIds: form.getAll('channels').filter((v): v is string => typeof v === 'string'),
          throttleMinutes: Number(formText(form, 'throttle') || 60),
          digestMinutes: digest ? Number(digest) : null,
          quietHours:
            quietStart && quietEnd
              ? { start: quietStart, end: quietEnd, timeZone: formText(form, 'timeZone') || 'UTC' }
              : null,
          conditions,
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
                <th>Digest / quiet hours</th>
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
                    <span className="muted"> {describeConditions(r.kind, r.conditions as RuleConditions)}</span>
                  </td>
                  <td>
                    {r.appId === null ? 'every app' : (apps.data?.find((a) => a.id === r.appId)?.name ?? r.appId)}
                  </td>
                  <td>{r.channels.map((c) => channelName(c.channelId)).join(', ')}</td>
                  <td>
                    {[
                      r.digestMinutes ? `one message per ${r.digestMinutes} min` : null,
                      r.quietHours
                        ? (({ start, end, timeZone }) => `quiet ${start}–${end} ${timeZone}`)(
                            r.quietHours as { start: string; end: string; timeZone: string },
                          )
                        : null,
                    ]
                      .filter(Boolean)
                      .join('; ') || '—'}
                  </td>
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
                  <input name="window" type="number" min={1} max={10080} defaultValue={60} />
                </Field>
              </div>
            ) : ruleKind === 'CRASH_FREE_DROP' ? (
              <div className="row">
                <Field label="Crash-free users below %">
                  <input name="threshold" type="number" min={0} max={100} step="any" defaultValue={99} required />
                </Field>
                <Field label="Over minutes">
                  <input name="window" type="number" min={1} max={10080} defaultValue={1440} />
                </Field>
                <Field label="Once at least this many users">
                  <input name="minimum" type="number" min={1} defaultValue={20} />
                </Field>
              </div>
            ) : ruleKind === 'PERF_THRESHOLD' ? (
              <div className="row">
                <Field label="Event type">
                  <input name="eventType" required defaultValue="web_vital" maxLength={100} />
                </Field>
                <Field label="Metric name" hint="e.g. LCP; empty for all">
                  <input name="metricName" defaultValue="LCP" maxLength={200} />
                </Field>
                <Field label="Aggregate">
                  <select name="aggregate" defaultValue="p75">
                    {AGGREGATES.map((a) => (
                      <option key={a}>{a}</option>
                    ))}
                  </select>
                </Field>
                <Field label="Is">
                  <select name="operator" defaultValue="above">
                    <option>above</option>
                    <option>below</option>
                  </select>
                </Field>
                <Field label="Threshold">
                  <input name="threshold" type="number" step="any" min={0} defaultValue={2500} required />
                </Field>
                <Field label="Over minutes">
                  <input name="window" type="number" min={1} max={10080} defaultValue={60} />
                </Field>
                <Field label="Minimum samples">
                  <input name="minimum" type="number" min={1} defaultValue={20} />
                </Field>
              </div>
            ) : null}
            <div className="row">
              <Field label="At most once per minutes" hint="per crash group (or app), rule and channel">
                <input name="throttle" type="number" min={1} defaultValue={60} />
              </Field>
              <Field label="Digest: one message per minutes" hint="empty: send each alert at once">
                <input name="digest" type="number" min={1} max={1440} />
              </Field>
            </div>
            <div className="row">
              <Field label="Quiet from" hint="alerts are held, then sent as a digest">
                <input name="quietStart" type="time" />
              </Field>
              <Field label="Quiet until">
                <input name="quietEnd" type="time" />
              </Field>
              <Field label="Time zone">
                <input name="timeZone" defaultValue="UTC" maxLength={64} />
              </Field>
            </div>
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
