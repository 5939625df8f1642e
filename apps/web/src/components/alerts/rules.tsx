'use client';

import type { RouterOutputs } from '@sightline/api/trpc';
import { ALERT_KINDS, type AlertKind } from '@sightline/core/contracts';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Field, Form, Notice, formatDate } from '~/components/ui';
import { formText } from '~/lib/form';
import { errorMessage, useTRPC } from '~/lib/trpc';
import type { AlertChannel } from './channels';
import {
  ConditionFields,
  RULE_KIND_LABELS,
  conditionsOf,
  describeConditions,
  ruleKindLabel,
  type RuleConditions,
} from './rule-conditions';
import { useRefreshAlerts } from './refresh';

type AlertRule = RouterOutputs['alerts']['rules'][number];
type OrgApp = RouterOutputs['apps']['list'][number];

/** The org's rules; delete is the page's, whose notice shows its errors. */
export function RuleTable({
  rules,
  apps,
  channelName,
  canManage,
  onDelete,
}: {
  rules: AlertRule[] | undefined;
  apps: OrgApp[] | undefined;
  channelName: (channelId: string) => string;
  canManage: boolean;
  onDelete: (ruleId: string) => void;
}) {
  if (!rules || rules.length === 0) return <p className="muted">No rules yet.</p>;
  return (
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
        {rules.map((r) => (
          <tr key={r.id}>
            <td>{r.name}</td>
            <td>
              {ruleKindLabel(r.kind)}
              <span className="muted"> {describeConditions(r.kind, r.conditions as RuleConditions)}</span>
            </td>
            <td>{r.appId === null ? 'every app' : (apps?.find((a) => a.id === r.appId)?.name ?? r.appId)}</td>
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
                <button type="button" className="danger" onClick={() => onDelete(r.id)}>
                  Delete
                </button>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Adds a rule: what fires it, for which app, how often at most, and to which channels. */
export function RuleForm({
  orgId,
  apps,
  channels,
}: {
  orgId: string;
  apps: OrgApp[] | undefined;
  channels: AlertChannel[];
}) {
  const trpc = useTRPC();
  const refresh = useRefreshAlerts();
  const createRule = useMutation(trpc.alerts.createRule.mutationOptions({ onSuccess: refresh }));
  const [ruleKind, setRuleKind] = useState<AlertKind>('NEW_CRASH_GROUP');
  // A new key empties the form after each rule is added.
  const [formKey, setFormKey] = useState(0);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const app = formText(form, 'app');
    const digest = formText(form, 'digest');
    const quietStart = formText(form, 'quietStart');
    const quietEnd = formText(form, 'quietEnd');
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
          conditions: conditionsOf(ruleKind, form),
        },
      },
      { onSuccess: () => setFormKey((k) => k + 1) },
    );
  }

  return (
    <Form key={formKey} onSubmit={onSubmit} className="stack">
      <Field label="Rule name">
        <input name="name" required maxLength={100} />
      </Field>
      <Field label="Alert when">
        <select value={ruleKind} onChange={(e) => setRuleKind(e.target.value as AlertKind)}>
          {ALERT_KINDS.map((k) => (
            <option key={k} value={k}>
              {RULE_KIND_LABELS[k]}
            </option>
          ))}
        </select>
      </Field>
      <Field label="App">
        <select name="app" defaultValue="">
          <option value="">every app</option>
          {apps?.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
      </Field>
      <ConditionFields ruleKind={ruleKind} />
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
        {channels.map((c) => (
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
  );
}
