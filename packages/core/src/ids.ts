const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids from outside are checked before a query: a malformed id is "not found", never a 500. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
