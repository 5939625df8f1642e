'use client';

/**
 * The dashboard header's freshness line: when the figures were last rolled up, and that the
 * current hour is still being counted (the api rolls up an app's small pending hours when a
 * dashboard asks, so this is seconds old for most apps; a busy app's wait for the aggregator).
 */
export function FreshnessNote({
  rolledUpAt,
  pendingHours,
  currentHourPartial,
}: {
  rolledUpAt: string | null;
  pendingHours: number;
  currentHourPartial: boolean;
}) {
  const parts = [
    rolledUpAt
      ? `Updated ${new Date(rolledUpAt).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' })}`
      : 'No figures yet',
  ];
  if (pendingHours > 0) parts.push(`${pendingHours === 1 ? 'one hour' : `${pendingHours} hours`} still to be added`);
  if (currentHourPartial) parts.push('the current hour is still being counted');
  return (
    <p className="muted" data-testid="freshness">
      {parts.join(' · ')}
    </p>
  );
}
