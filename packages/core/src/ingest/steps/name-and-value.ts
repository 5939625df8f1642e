import { KNOWN_EVENT_DATA, type EventInput, type KnownEventType } from '../schemas.ts';

// Step 11, name and value: the two columns dashboards group and sum by, taken from the
// event itself or from the fields its known type names (a page's route, a vital's value).

/** The first of the fields the type names that the event's data holds. */
function pick(data: Record<string, unknown>, fields: string | readonly string[] | undefined): unknown {
  for (const field of typeof fields === 'string' ? [fields] : (fields ?? [])) {
    if (data[field] !== undefined && data[field] !== null) return data[field];
  }
  return undefined;
}

/** Step: the row's name and value columns from the fields the type names. */
export function nameAndValue(event: EventInput): { name: string | null; value: number | null } {
  const known = KNOWN_EVENT_DATA[event.type as KnownEventType] as
    { name?: string | readonly string[]; value?: string } | undefined;
  const name = event.name ?? pick(event.data, known?.name);
  const value = event.value ?? pick(event.data, known?.value);
  return {
    name: typeof name === 'string' ? name.slice(0, 200) : null,
    value: typeof value === 'number' && Number.isFinite(value) ? value : null,
  };
}
