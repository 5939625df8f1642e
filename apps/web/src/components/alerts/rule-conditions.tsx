'use client';

import {
  METRIC_AGGREGATES,
  METRIC_OPERATORS,
  type AlertKind,
  type MetricAggregate,
  type MetricOperator,
} from '@sightline/core/contracts';
import { Field } from '~/components/ui';
import { formText } from '~/lib/form';

// Each rule kind's conditions in one place: its label, the fields its form shows, how those
// fields become the rule's conditions, and how the rules table says them back in words.

/** What fires a rule of each kind, as the form and the rules table say it. */
export const RULE_KIND_LABELS: Record<AlertKind, string> = {
  NEW_CRASH_GROUP: 'A new crash',
  REGRESSION: 'A resolved crash comes back',
  CRASH_SPIKE: 'A crash spikes',
  CRASH_FREE_DROP: 'Crash-free users drop',
  PERF_THRESHOLD: 'A performance metric crosses a threshold',
};

/** A rule's kind in words; a kind no form creates (the database also knows QUOTA) shows as stored. */
export function ruleKindLabel(kind: string): string {
  return Object.hasOwn(RULE_KIND_LABELS, kind) ? RULE_KIND_LABELS[kind as AlertKind] : kind;
}

export interface RuleConditions {
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
export function describeConditions(kind: string, c: RuleConditions): string {
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

/** The conditions a rule's form reads from the fields its kind shows. */
export function conditionsOf(ruleKind: AlertKind, form: FormData) {
  const threshold = formText(form, 'threshold');
  const windowMinutes = Number(formText(form, 'window') || 60);
  if (ruleKind === 'CRASH_SPIKE') return { threshold: Number(threshold), windowMinutes };
  if (ruleKind === 'CRASH_FREE_DROP')
    return { crashFreeBelow: Number(threshold), windowMinutes, minUsers: Number(formText(form, 'minimum') || 20) };
  if (ruleKind === 'PERF_THRESHOLD')
    return {
      eventType: formText(form, 'eventType'),
      ...(formText(form, 'metricName') ? { metricName: formText(form, 'metricName') } : {}),
      // The selects below offer only these; the api checks them anyway.
      aggregate: formText(form, 'aggregate') as MetricAggregate,
      operator: formText(form, 'operator') as MetricOperator,
      threshold: Number(threshold),
      windowMinutes,
      minSamples: Number(formText(form, 'minimum') || 20),
    };
  return {};
}

/** The fields only some rule kinds have (a new crash or a regression needs none). */
export function ConditionFields({ ruleKind }: { ruleKind: AlertKind }) {
  if (ruleKind === 'CRASH_SPIKE')
    return (
      <div className="row">
        <Field label="Occurrences at least">
          <input name="threshold" type="number" min={1} required />
        </Field>
        <Field label="Within minutes">
          <input name="window" type="number" min={1} max={10080} defaultValue={60} />
        </Field>
      </div>
    );
  if (ruleKind === 'CRASH_FREE_DROP')
    return (
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
    );
  if (ruleKind === 'PERF_THRESHOLD')
    return (
      <div className="row">
        <Field label="Event type">
          <input name="eventType" required defaultValue="web_vital" maxLength={100} />
        </Field>
        <Field label="Metric name" hint="e.g. LCP; empty for all">
          <input name="metricName" defaultValue="LCP" maxLength={200} />
        </Field>
        <Field label="Aggregate">
          <select name="aggregate" defaultValue="p75">
            {METRIC_AGGREGATES.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </Field>
        <Field label="Is">
          <select name="operator" defaultValue="above">
            {METRIC_OPERATORS.map((o) => (
              <option key={o}>{o}</option>
            ))}
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
    );
  return null;
}
