'use client';

import { useQuery } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Bar, BarChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import {
  AppNav,
  CHART_COLORS,
  ChartWithTable,
  DataTable,
  fmt,
  RangePicker,
  useRange,
  AXIS,
  TOOLTIP,
} from '~/components/analytics';
import { NoDataYet } from '~/components/setup/first-event';
import { Field, Form, Notice, Section } from '~/components/ui';
import { formText } from '~/lib/form';
import { errorMessage, useTRPC } from '~/lib/trpc';
import { useOrg } from '~/lib/use-org';

interface Step {
  type: string;
  name?: string;
}

/** Funnels, retention cohorts, paths and segments: questions over raw events and device days. */
export default function ExplorePage() {
  const { orgId } = useOrg();
  const appId = Number(useParams<{ appId: string }>().appId);
  const { start, end } = useRange(7);
  const trpc = useTRPC();
  const range = { start, end };

  const [steps, setSteps] = useState<Step[] | null>(null);
  const [windowMinutes, setWindowMinutes] = useState(1440);
  const funnel = useQuery({
    ...trpc.analytics.funnel.queryOptions({ orgId, appId, query: { ...range, steps: steps ?? [], windowMinutes } }),
    enabled: steps !== null,
  });
  const [period, setPeriod] = useState<'week' | 'day'>('week');
  const retention = useQuery(
    trpc.analytics.retention.queryOptions({ orgId, appId, query: { period, periods: period === 'week' ? 8 : 14 } }),
  );
  const [from, setFrom] = useState<string | null>(null);
  const paths = useQuery({
    ...trpc.analytics.paths.queryOptions({ orgId, appId, query: { ...range, from: from ?? '/' } }),
    enabled: from !== null,
  });
  const [segment, setSegment] = useState<Record<string, unknown> | null>(null);
  const segmentResult = useQuery({
    ...trpc.analytics.segment.queryOptions({ orgId, appId, query: { ...range, ...(segment ?? {}) } }),
    enabled: segment !== null,
  });

  function onFunnel(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const lines = formText(form, 'steps')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    setSteps(
      lines.map((line) => {
        const [type, ...rest] = line.split(/\s+/);
        const name = rest.join(' ');
        return name ? { type: type!, name } : { type: type! };
      }),
    );
    setWindowMinutes(Number(formText(form, 'window') || 1440));
  }
  function onSegment(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const filters: Record<string, string> = {};
    for (const k of ['browser', 'os', 'country', 'version']) if (formText(form, k)) filters[k] = formText(form, k);
    const key = formText(form, 'propertyKey');
    const conversion = formText(form, 'conversion');
    setSegment({
      filters: { ...filters, ...(key ? { property: { key, value: formText(form, 'propertyValue') } } : {}) },
      ...(conversion ? { conversionEvent: conversion } : {}),
    });
  }

  const f = funnel.data;
  const s = segmentResult.data;
  return (
    <>
      <h1>Explore</h1>
      <AppNav orgId={orgId} appId={appId} />
      <NoDataYet appId={appId} what="events" />
      <RangePicker />
      <Section title="Funnel">
        <Form onSubmit={onFunnel} className="stack">
          <Field label="Steps" hint="one per line: an event type, then optionally its name (page_view /checkout)">
            <textarea name="steps" rows={4} required defaultValue={'page_view /\npage_view /checkout'} />
          </Field>
          <div className="row">
            <Field label="Conversion window (minutes)">
              <input name="window" type="number" min={1} max={43200} defaultValue={1440} />
            </Field>
            <button type="submit">Show funnel</button>
          </div>
        </Form>
        <Notice kind="error">{funnel.error ? errorMessage(funnel.error) : null}</Notice>
        {f ? (
          <ChartWithTable
            title="Funnel conversion"
            columns={[
              'Step',
              'Devices',
              'Conversion %',
              'From previous %',
              'Drop-off',
              'Median time from previous (s)',
            ]}
            rows={f.steps.map((st, i) => [
              `${i + 1}. ${st.type}${st.name ? ` ${st.name}` : ''}`,
              st.devices,
              st.conversion,
              st.fromPrevious,
              st.dropOff,
              st.medianSecondsFromPrevious,
            ])}
            chart={
              <ResponsiveContainer>
                <BarChart
                  data={f.steps.map((st, i) => ({ step: `${i + 1}. ${st.name ?? st.type}`, devices: st.devices }))}
                >
                  <XAxis dataKey="step" tick={AXIS} />
                  <YAxis tick={AXIS} allowDecimals={false} />
                  <Tooltip {...TOOLTIP} />
                  <Bar dataKey="devices" fill={CHART_COLORS[0]} isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            }
          />
        ) : null}
      </Section>
      <Section title="Retention">
        <div className="row">
          <Field label="Cohorts by">
            <select value={period} onChange={(e) => setPeriod(e.target.value as 'week' | 'day')}>
              <option value="week">first week</option>
              <option value="day">first day</option>
            </select>
          </Field>
        </div>
        <Notice kind="error">{retention.error ? errorMessage(retention.error) : null}</Notice>
        {retention.data ? (
          <div className="heat">
            <DataTable
              label="Retention"
              columns={['Cohort', 'Devices', ...retention.data.cohorts.map((_, k) => `${period} ${k}`)]}
              rows={retention.data.cohorts.map((c) => [
                c.cohort,
                c.size,
                ...c.percent.map((p) => (p === null ? null : `${p}%`)),
              ])}
            />
          </div>
        ) : null}
      </Section>
      <Section title="Paths">
        <Form
          onSubmit={(e) => {
            e.preventDefault();
            setFrom(formText(new FormData(e.currentTarget), 'from'));
          }}
          className="row"
        >
          <Field label="Around screen or page">
            <input name="from" required defaultValue="/" maxLength={2000} />
          </Field>
          <button type="submit">Show paths</button>
        </Form>
        <Notice kind="error">{paths.error ? errorMessage(paths.error) : null}</Notice>
        {paths.data ? (
          <div className="charts">
            <DataTable
              label="Came from"
              columns={['Came from', 'Views', 'Share %']}
              rows={paths.data.previous.map((p) => [p.screen ?? '(session start)', p.count, p.share])}
            />
            <DataTable
              label="Went to"
              columns={['Went to', 'Views', 'Share %']}
              rows={paths.data.next.map((p) => [p.screen ?? '(session end)', p.count, p.share])}
            />
          </div>
        ) : null}
      </Section>
      <Section title="Segment">
        <Form onSubmit={onSegment} className="stack">
          <div className="row">
            <Field label="Browser">
              <input name="browser" maxLength={100} />
            </Field>
            <Field label="OS">
              <input name="os" maxLength={100} />
            </Field>
            <Field label="Country" hint="two letters">
              <input name="country" maxLength={2} />
            </Field>
            <Field label="Version">
              <input name="version" maxLength={64} />
            </Field>
          </div>
          <div className="row">
            <Field label="Property">
              <input name="propertyKey" maxLength={100} />
            </Field>
            <Field label="equals">
              <input name="propertyValue" maxLength={500} />
            </Field>
            <Field label="Converts on event">
              <input name="conversion" maxLength={100} />
            </Field>
            <button type="submit">Show segment</button>
          </div>
        </Form>
        <Notice kind="error">{segmentResult.error ? errorMessage(segmentResult.error) : null}</Notice>
        {s ? (
          <DataTable
            label="Segment"
            columns={[
              'Devices',
              'Share of all %',
              'Sessions',
              'Bounce rate %',
              'Avg session (s)',
              'Pages / session',
              'Conversion %',
            ]}
            rows={[
              [
                s.devices,
                s.shareOfAll,
                s.sessions,
                s.bounceRate,
                fmt(s.avgSessionSeconds, 1),
                s.pagesPerSession,
                s.conversionRate,
              ],
            ]}
          />
        ) : null}
      </Section>
    </>
  );
}
