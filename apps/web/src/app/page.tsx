import { readApiStatus } from './api-status';

export const dynamic = 'force-dynamic';

export default async function HomePage() {
  const status = await readApiStatus();
  return (
    <main className="shell">
      <header>
        <h1>Sightline</h1>
        <p className="tagline">
          Usage analytics, crash tracking and performance monitoring for your web, Node and mobile apps — on your own
          servers.
        </p>
      </header>
      <section className="panel" aria-labelledby="status-heading">
        <h2 id="status-heading">System status</h2>
        <p className={status.ready ? 'status ok' : 'status down'}>
          <span className="dot" aria-hidden="true" />
          {status.ready ? 'API ready' : 'API unreachable'}
        </p>
        {status.detail ? <p className="detail">{status.detail}</p> : null}
      </section>
    </main>
  );
}
