// A small Node app instrumented with the official @sentry/node SDK, pointed at Sightline
// by SENTRY_DSN: it reports a handled error, then dies of an uncaught one (the SDK sends
// the fatal event and marks the session crashed before the process exits).
import * as Sentry from '@sentry/node';

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  release: 'shop@2.4.1',
  environment: 'staging',
  tracesSampleRate: 0,
  debug: process.env.SENTRY_DEBUG === '1',
});
Sentry.setUser({ id: 'user-42', email: 'ada@example.com' });
Sentry.setTag('region', 'eu-west');
Sentry.addBreadcrumb({ category: 'cart', message: 'added item sku-9', level: 'info' });

function loadCart(id) {
  throw new TypeError(`cart ${id} has no owner`);
}
try {
  loadCart(17);
} catch (error) {
  Sentry.captureException(error);
}
await Sentry.flush(5000);
setTimeout(() => {
  JSON.parse('{ broken');
}, 10);
