import { int, list, object, text } from './fields.ts';

// Client reports: what a Sentry SDK dropped itself (rate limited, sampled, queue full).
// Nothing is stored; the api counts them by reason and category.

/** What a `client_report` says the SDK threw away, by reason and category. */
export function sentryClientReportDiscards(
  report: Record<string, unknown>,
): Array<{ reason: string; category: string; quantity: number }> {
  return list(report.discarded_events)
    .map(object)
    .filter((d): d is Record<string, unknown> => d !== undefined)
    .map((d) => ({
      reason: text(d.reason, 50) ?? 'unknown',
      category: text(d.category, 50) ?? 'unknown',
      quantity: int(d.quantity) ?? 0,
    }))
    .filter((d) => d.quantity > 0)
    .slice(0, 50);
}
