'use client';

import { useQuery } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { Cell, Legend, Line, LineChart, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import {
  AppNav,
  CHART_COLORS,
  ChartWithTable,
  DataTable,
  fmt,
  Kpi,
  RangePicker,
  useRange,
  AXIS,
  TOOLTIP,
} from '~/components/analytics';
import { FreshnessNote } from '~/components/freshness';
import { NoDataYet } from '~/components/setup/first-event';
import { Notice, Section } from '~/components/ui';
import { errorMessage, useTRPC } from '~/lib/trpc';
import { useOrg } from '~/lib/use-org';

/** The seed's metrics view: KPI cards with deltas, DAU, crash-free trend, versions, devices, features. */
export default function AnalyticsPage() {
  const { orgId } = useOrg();
  const appId = Number(useParams<{ appId: string }>().appId);
  const { start, end } = useRange();
  const trpc = useTRPC();
  const query = { start, end };
  const overview = useQuery(trpc.analytics.overview.queryOptions({ orgId, appId, query }));
  const health = useQuery(trpc.analytics.health.queryOptions({ orgId, appId, query }));
  const versions = useQuery(trpc.analytics.versions.queryOptions({ orgId, appId, query }));
  const os = useQuery(trpc.analytics.breakdown.queryOptions({ orgId, appId, query: { ...query, by: 'os', limit: 8 } }));
  const browsers = useQuery(
    trpc.analytics.breakdown.queryOptions({ orgId, appId, query: { ...query, by: 'browser', limit: 8 } }),
  );
  const countries = useQuery(
    trpc.analytics.breakdown.queryOptions({ orgId, appId, query: { ...query, by: 'country', limit: 8 } }),
  );
  const screens = useQuery(
    trpc.analytics.breakdown.queryOptions({ orgId, appId, query: { ...query, by: 'screen', limit: 10 } }),
  );
  const adoption = useQuery(trpc.analytics.adoption.queryOptions({ orgId, appId, query: { ...query, limit: 10 } }));
  const error = overview.error ?? health.error ?? versions.error;
  const o = overview.data;
  const days = health.data ?? [];

  return (
    <>
      <h1>Analytics</h1>
      <AppNav orgId={orgId} appId={appId} />
      <NoDataYet appId={appId} what="analytics" />
      <RangePicker />
      {o ? <FreshnessNote {...o} /> : null}
      <Notice kind="error">{error ? errorMessage(error) : null}</Notice>
      {o ? (
        <div className="kpis">
          <Kpi label="Daily users" value={fmt(o.dau, 1)} change={o.change.dau} />
          <Kpi label="Users" value={fmt(o.users)} change={o.change.users} />
          <Kpi label="Sessions" value={fmt(o.sessions)} change={o.change.sessions} />
          <Kpi label="Crashes" value={fmt(o.crashes)} change={o.change.crashes} lowerIsBetter />
          <Kpi label="Errors" value={fmt(o.errors)} change={o.change.errors} lowerIsBetter />
          <Kpi
            label="Crash-free users"
            value={o.crashFreeUsers === null ? '—' : `${o.crashFreeUsers}%`}
            change={o.change.crashFreeUsers}
          />
          <Kpi
            label="Avg session"
            value={o.avgSessionSeconds === null ? '—' : `${fmt(o.avgSessionSeconds, 1)} s`}
            change={o.change.avgSessionSeconds}
          />
          <Kpi
            label="Bounce rate"
            value={o.bounceRate === null ? '—' : `${o.bounceRate}%`}
            change={o.change.bounceRate}
            lowerIsBetter
          />
          <Kpi
            label="LCP p75"
            value={o.lcpP75 === null ? '—' : `${fmt(o.lcpP75)} ms`}
            change={o.change.lcpP75}
            lowerIsBetter
          />
        </div>
      ) : null}
      <div className="charts">
        <ChartWithTable
          title="Daily active users"
          columns={['Day', 'Users', 'Sessions']}
          rows={days.map((d) => [d.date, d.dau, d.sessions])}
          chart={
            <ResponsiveContainer>
              <LineChart data={days}>
                <XAxis dataKey="date" tick={AXIS} />
                <YAxis tick={AXIS} allowDecimals={false} />
                <Tooltip {...TOOLTIP} />
                <Line
                  type="monotone"
                  dataKey="dau"
                  name="Users"
                  stroke={CHART_COLORS[0]}
                  dot={false}
                  isAnimationActive={false}
                />
              </LineChart>
            </ResponsiveContainer>
          }
        />
        <ChartWithTable
          title="Crash-free users"
          columns={['Day', 'Crash-free users %', 'Crashes', 'Crashed users']}
          rows={days.map((d) => [d.date, d.crashFreeUsers, d.crashes, d.crashedUsers])}
          chart={
            <ResponsiveContainer>
              <LineChart data={days}>
                <XAxis dataKey="date" tick={AXIS} />
                <YAxis tick={AXIS} domain={[(min: number) => Math.max(0, Math.floor(min - 1)), 100]} unit="%" />
                <Tooltip {...TOOLTIP} />
                <Line
                  type="monotone"
                  dataKey="crashFreeUsers"
                  name="Crash-free users %"
                  stroke={CHART_COLORS[1]}
                  dot={false}
                  connectNulls
                  isAnimationActive={false}
                />
              </LineChart>
            </ResponsiveContainer>
          }
        />
        <ChartWithTable
          title="Version distribution"
          columns={['Version', 'Device-days', 'Share %', 'Crashes', 'Crash rate per 100 starts', 'Crash-free %']}
          rows={(versions.data ?? []).map((v) => [
            v.version ?? 'unknown',
            v.deviceDays,
            v.share,
            v.crashes,
            v.crashRate,
            v.crashFreeUsers,
          ])}
          chart={
            <ResponsiveContainer>
              <PieChart>
                <Pie
                  data={(versions.data ?? []).map((v) => ({ name: v.version ?? 'unknown', value: v.deviceDays }))}
                  dataKey="value"
                  nameKey="name"
                  innerRadius={55}
                  outerRadius={90}
                  isAnimationActive={false}
                >
                  {(versions.data ?? []).map((v, i) => (
                    <Cell key={v.version ?? ''} fill={CHART_COLORS[i % CHART_COLORS.length]} />
                  ))}
                </Pie>
                <Tooltip {...TOOLTIP} />
                <Legend />
              </PieChart>
            </ResponsiveContainer>
          }
        />
      </div>
      <div className="charts">
        {(
          [
            ['Operating systems', os.data],
            ['Browsers', browsers.data],
            ['Countries', countries.data],
          ] as const
        ).map(([title, rows]) => (
          <Section key={title} title={title}>
            <DataTable
              label={title}
              columns={['Value', 'Device-days', 'Share %']}
              rows={(rows ?? []).map((r) => [r.value ?? 'unknown', r.deviceDays, r.share])}
            />
          </Section>
        ))}
        <Section title="Top screens and pages">
          <DataTable
            label="Top screens and pages"
            columns={['Screen', 'Views', 'Device-days']}
            rows={(screens.data ?? []).map((r) => [r.value, r.count, r.deviceDays])}
          />
        </Section>
        <Section title="Feature adoption">
          <DataTable
            label="Feature adoption"
            columns={['Feature', 'Adoption %', 'Trend']}
            rows={(adoption.data ?? []).map((f) => [
              f.feature,
              f.adoption,
              f.trend === 'up' ? '▲ up' : f.trend === 'down' ? '▼ down' : 'stable',
            ])}
          />
        </Section>
      </div>
    </>
  );
}
