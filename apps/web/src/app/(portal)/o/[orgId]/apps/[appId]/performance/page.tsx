'use client';

import { useQuery } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
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
import { Notice, Section } from '~/components/ui';
import { errorMessage, useTRPC } from '~/lib/trpc';
import { useOrg } from '~/lib/use-org';

/** Google's Core Web Vitals thresholds at p75: good up to the first, poor from the second. */
const VITALS = [
  { name: 'LCP', unit: 'ms', good: 2500, poor: 4000 },
  { name: 'INP', unit: 'ms', good: 200, poor: 500 },
  { name: 'CLS', unit: '', good: 0.1, poor: 0.25 },
  { name: 'FCP', unit: 'ms', good: 1800, poor: 3000 },
  { name: 'TTFB', unit: 'ms', good: 800, poor: 1800 },
] as const;

const rating = (value: number | null, good: number, poor: number) =>
  value === null ? null : value <= good ? 'good' : value <= poor ? 'needs-improvement' : 'poor';

/** Web vitals against their thresholds, LCP over time, slow pages, resource and request latency. */
export default function PerformancePage() {
  const { orgId } = useOrg();
  const appId = Number(useParams<{ appId: string }>().appId);
  const { start, end } = useRange();
  const trpc = useTRPC();
  const range = { start, end };
  const vital = (name: string) =>
    trpc.analytics.performance.queryOptions({ orgId, appId, query: { ...range, eventType: 'web_vital', name } });
  const lcp = useQuery(vital('LCP'));
  const inp = useQuery(vital('INP'));
  const cls = useQuery(vital('CLS'));
  const fcp = useQuery(vital('FCP'));
  const ttfb = useQuery(vital('TTFB'));
  const slowPages = useQuery(
    trpc.analytics.slowest.queryOptions({ orgId, appId, query: { ...range, eventType: 'web_vital', name: 'LCP' } }),
  );
  const resources = useQuery(
    trpc.analytics.slowest.queryOptions({ orgId, appId, query: { ...range, eventType: 'resource_timing' } }),
  );
  const requests = useQuery(
    trpc.analytics.slowest.queryOptions({
      orgId,
      appId,
      query: { ...range, eventType: 'http_request', percentile: 'p95' },
    }),
  );
  const startup = useQuery(
    trpc.analytics.performance.queryOptions({ orgId, appId, query: { ...range, eventType: 'perf_startup' } }),
  );
  const frames = useQuery(
    trpc.analytics.performance.queryOptions({ orgId, appId, query: { ...range, eventType: 'perf_frame' } }),
  );
  const results = [lcp, inp, cls, fcp, ttfb];
  const error = results.find((r) => r.error)?.error ?? slowPages.error;
  const lcpDaily = lcp.data?.daily ?? [];

  return (
    <>
      <h1>Performance</h1>
      <AppNav orgId={orgId} appId={appId} />
      <NoDataYet appId={appId} what="performance data" />
      <RangePicker />
      <Notice kind="error">{error ? errorMessage(error) : null}</Notice>
      <Section title="Web Vitals (p75)">
        <DataTable
          label="Web Vitals"
          columns={['Vital', 'p75', 'Rating', 'Good up to', 'Poor from', 'Samples']}
          rows={VITALS.map((v, i) => {
            const p75 = results[i]?.data?.overall.p75 ?? null;
            const r = rating(p75, v.good, v.poor);
            return [
              v.name,
              p75 === null ? null : `${fmt(p75, v.name === 'CLS' ? 3 : 0)}${v.unit ? ` ${v.unit}` : ''}`,
              r,
              v.good,
              v.poor,
              results[i]?.data?.overall.count ?? 0,
            ];
          })}
        />
      </Section>
      <div className="charts">
        <ChartWithTable
          title="LCP per day (ms)"
          columns={['Day', 'p50', 'p75', 'p95', 'Samples']}
          rows={lcpDaily.map((d) => [d.date, d.p50, d.p75, d.p95, d.count])}
          chart={
            <ResponsiveContainer>
              <LineChart data={lcpDaily}>
                <CartesianGrid stroke="#262b36" />
                <XAxis dataKey="date" tick={AXIS} />
                <YAxis tick={AXIS} />
                <Tooltip {...TOOLTIP} />
                <Legend />
                <ReferenceLine
                  y={2500}
                  stroke="#3ecf8e"
                  strokeDasharray="4 4"
                  label={{ value: 'good', fill: '#3ecf8e', fontSize: 11 }}
                />
                <ReferenceLine
                  y={4000}
                  stroke="#f26d6d"
                  strokeDasharray="4 4"
                  label={{ value: 'poor', fill: '#f26d6d', fontSize: 11 }}
                />
                {(['p50', 'p75', 'p95'] as const).map((k, i) => (
                  <Line
                    key={k}
                    dataKey={k}
                    stroke={CHART_COLORS[i]}
                    dot={false}
                    connectNulls
                    isAnimationActive={false}
                  />
                ))}
              </LineChart>
            </ResponsiveContainer>
          }
        />
        <Section title="Slowest pages (LCP p75)">
          <DataTable
            label="Slowest pages"
            columns={['Page', 'p75 ms', 'p95 ms', 'Samples']}
            rows={(slowPages.data ?? []).map((p) => [p.name, fmt(p.p75), fmt(p.p95), p.count])}
          />
        </Section>
        <Section title="Resource load latency by type">
          <DataTable
            label="Resource load latency"
            columns={['Type', 'p50 ms', 'p75 ms', 'p95 ms', 'Loads']}
            rows={(resources.data ?? []).map((r) => [r.name || 'other', fmt(r.p50), fmt(r.p75), fmt(r.p95), r.count])}
          />
        </Section>
        <Section title="Slowest routes (request p95)">
          <DataTable
            label="Slowest routes"
            columns={['Route', 'p50 ms', 'p95 ms', 'p99 ms', 'Requests']}
            rows={(requests.data ?? []).map((r) => [r.name, fmt(r.p50), fmt(r.p95), fmt(r.p99), r.count])}
          />
        </Section>
        <Section title="App start and frame times">
          <DataTable
            label="App start and frame times"
            columns={['Metric', 'p50 ms', 'p75 ms', 'p95 ms', 'Samples']}
            rows={[
              [
                'Startup',
                fmt(startup.data?.overall.p50),
                fmt(startup.data?.overall.p75),
                fmt(startup.data?.overall.p95),
                startup.data?.overall.count ?? 0,
              ],
              [
                'Frame time',
                fmt(frames.data?.overall.p50, 1),
                fmt(frames.data?.overall.p75, 1),
                fmt(frames.data?.overall.p95, 1),
                frames.data?.overall.count ?? 0,
              ],
            ]}
          />
        </Section>
      </div>
    </>
  );
}
