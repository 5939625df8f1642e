import { init } from '@sightline/sdk/node';

// A tiny Node app for the SDK's crash test: it starts, reports that it did, and dies of an
// uncaught TypeError a moment later — as a real service with a bug would.

const client = init({
  key: process.env.SIGHTLINE_KEY ?? '',
  endpoint: process.env.SIGHTLINE_ENDPOINT ?? '',
  appVersion: '3.1.0',
  environment: 'production',
  debug: process.env.SIGHTLINE_DEBUG === '1',
});
client.track('app_start');

interface Order {
  items?: string[];
}
const pending: Order = JSON.parse('{}') as Order;
setTimeout(() => {
  // The bug: an order without items.
  process.stdout.write(`items: ${pending.items!.length}\n`);
}, 50);
