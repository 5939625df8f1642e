/** Where to go after signing in: a local path from ?next=, else the org picker. */
export function nextPath(): string {
  const next = new URLSearchParams(window.location.search).get('next');
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/orgs';
}
