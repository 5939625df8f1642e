'use client';

import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import type { ReactNode } from 'react';
import { Field } from './ui';

// Pieces the analytics pages share: the app's sub-navigation, the date range (kept in the
// URL, so a view can be linked), KPI cards with their change, and a chart's table view.

const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

export function AppNav({ orgId, appId }: { orgId: string; appId: number }) {
  const pathname = usePathname();
  const base = `/o/${orgId}/apps/${appId}`;
  const links: Array<[string, string]> = [
    ['/analytics', 'Analytics'],
    ['/performance', 'Performance'],
    ['/explore', 'Explore'],
    ['/crashes', 'Crashes'],
    ['/setup', 'Setup'],
    ['', 'Settings'],
  ];
  return (
    <nav className="tabs" aria-label="App">
      {links.map(([path, label]) => (
        <Link key={label} href={`${base}${path}`} aria-current={pathname === `${base}${path}` ? 'page' : undefined}>
          {label}
        </Link>
      ))}
    </nav>
  );
}

/** The range in the URL (?start=&end=), last 30 days by default. */
export function useRange(defaultDays = 30): { start: string; end: string; days: number } {
  const params = useSearchParams();
  const today = Math.floor(Date.now() / DAY) * DAY;
  const end = params.get('end') ?? iso(today);
  const start = params.get('start') ?? iso(Date.parse(end) - (defaultDays - 1) * DAY);
  return { start, end, days: Math.round((Date.parse(end) - Date.parse(start)) / DAY) + 1 };
}

export function RangePicker() {
  const { start, end } = useRange();
  const router = useRouter();
  const pathname = usePathname();
  const go = (s: string, e: string) => router.replace(`${pathname}?start=${s}&end=${e}`);
  const today = Math.floor(Date.now() / DAY) * DAY;
  return (
    <div className="row" aria-label="Date range">
      <Field label="Range">
        <select
          value=""
          onChange={(e) => {
            const days = Number(e.target.value);
            if (days) go(iso(today - (days - 1) * DAY), iso(today));
          }}
        >
          <option value="">Preset…</option>
          <option value="7">Last 7 days</option>
          <option value="30">Last 30 days</option>
          <option value="90">Last 90 days</option>
        </select>
      </Field>
      <Field label="From">
        <input type="date" value={start} max={end} onChange={(e) => e.target.value && go(e.target.value, end)} />
      </Field>
      <Field label="To">
        <input type="date" value={end} min={start} onChange={(e) => e.target.value && go(start, e.target.value)} />
      </Field>
    </div>
  );
}

/** A headline number and its change against the previous range; `lowerIsBetter` colours a drop green. */
export function Kpi({
  label,
  value,
  change,
  lowerIsBetter = false,
}: {
  label: string;
  value: string;
  change: number | null;
  lowerIsBetter?: boolean;
}) {
  const good = change === null || change === 0 ? null : change > 0 !== lowerIsBetter;
  return (
    <div className="kpi" role="group" aria-label={label}>
      <div className="kpi-label">{label}</div>
      <div className="kpi-value">{value}</div>
      <div className={`kpi-change ${good === null ? '' : good ? 'good' : 'bad'}`}>
        {change === null ? '—' : `${change > 0 ? '▲' : change < 0 ? '▼' : ''} ${change > 0 ? '+' : ''}${change}%`}
      </div>
    </div>
  );
}

/** A chart with its numbers as a table underneath (for screen readers, copying and tests). */
export function ChartWithTable({
  title,
  chart,
  columns,
  rows,
}: {
  title: string;
  chart: ReactNode;
  columns: string[];
  rows: Array<Array<string | number | null>>;
}) {
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div className="chart-body">{chart}</div>
      <details>
        <summary>As a table</summary>
        <DataTable label={title} columns={columns} rows={rows} />
      </details>
    </figure>
  );
}

export function DataTable({
  label,
  columns,
  rows,
}: {
  label: string;
  columns: string[];
  rows: Array<Array<string | number | null>>;
}) {
  return (
    <table aria-label={label}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c}>{c}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i}>
            {r.map((cell, j) => (
              <td key={j}>{cell ?? '—'}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export const fmt = (n: number | null | undefined, digits = 0): string =>
  n === null || n === undefined ? '—' : n.toLocaleString('en', { maximumFractionDigits: digits });

export const CHART_COLORS = ['#6ea8fe', '#3ecf8e', '#f2b84b', '#e0565b', '#b48cff', '#5fd4e8', '#ff8fab', '#9aa3b2'];

/** Axis ticks and tooltips in the portal's dark palette. */
export const AXIS = { stroke: '#9aa3b2', fontSize: 11 };
export const TOOLTIP = { contentStyle: { background: '#171a21', border: '1px solid #2a2f3a' } };
