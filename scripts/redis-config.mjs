#!/usr/bin/env node
// How Sightline runs Redis: the one place `npm start`, `.ci/run` and the Redis-restart fault
// test take the server's arguments from, so the test checks the configuration that ships.
//
// Redis holds acknowledged events (the ingestion stream), queued jobs (alert deliveries in
// retry, privacy requests) and the month's usage counters. AOF with an fsync every second
// keeps them across a restart (at most about one second lost on a power cut, nothing on a
// clean SHUTDOWN or a crash of the process); noeviction makes a full Redis refuse writes —
// the api then answers 503 — instead of silently evicting queued data.

import { pathToFileURL } from 'node:url';

/** Settings a running Redis needs (`CONFIG SET key value`), in the order to apply them. */
export const DURABLE_SETTINGS = [
  ['appendonly', 'yes'],
  ['appendfsync', 'everysec'],
  ['maxmemory-policy', 'noeviction'],
];

/**
 * `redis-server` arguments for a Sightline Redis on `port` with its data (AOF) under `dir`.
 * RDB snapshots stay off: AOF already keeps everything, and a snapshot's fork would double
 * the memory of a large backlog.
 */
export function redisServerArgs({ port, dir, bind = '127.0.0.1', logfile, daemonize = false }) {
  const args = ['--port', String(port), '--bind', ...String(bind).split(' '), '--dir', dir, '--save', ''];
  for (const [key, value] of DURABLE_SETTINGS) args.push(`--${key}`, value);
  if (logfile) args.push('--logfile', logfile);
  if (daemonize) args.push('--daemonize', 'yes');
  return args;
}

// `node scripts/redis-config.mjs args --port P --dir D [--bind B] [--logfile F] [--daemonize]`
// prints the arguments NUL-separated (for `mapfile -d ''` in shell scripts);
// `node scripts/redis-config.mjs settings` prints one `key value` line per durable setting.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'settings') {
    for (const [key, value] of DURABLE_SETTINGS) process.stdout.write(`${key} ${value}\n`);
  } else if (command === 'args') {
    const options = {};
    for (let i = 0; i < rest.length; i++) {
      const name = rest[i]?.replace(/^--/, '');
      if (name === 'daemonize') options.daemonize = true;
      else options[name] = rest[++i];
    }
    if (!options.port || !options.dir) {
      process.stderr.write('redis-config: args needs --port and --dir\n');
      process.exit(2);
    }
    process.stdout.write(redisServerArgs(options).join('\0'));
  } else {
    process.stderr.write(
      'usage: redis-config.mjs settings | args --port P --dir D [--bind B] [--logfile F] [--daemonize]\n',
    );
    process.exit(2);
  }
}
