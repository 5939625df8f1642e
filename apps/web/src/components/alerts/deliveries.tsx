'use client';

import type { RouterOutputs } from '@sightline/api/trpc';
import { formatDate } from '~/components/ui';

type AlertDelivery = RouterOutputs['alerts']['deliveries'][number];

/** What was sent to which channel, with the last error of a failing delivery. */
export function DeliveryLog({
  deliveries,
  channelName,
}: {
  deliveries: AlertDelivery[] | undefined;
  channelName: (channelId: string) => string;
}) {
  if (!deliveries || deliveries.length === 0) return <p className="muted">Nothing sent yet.</p>;
  return (
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
        {deliveries.map((d) => (
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
  );
}
