import fc from 'fast-check';
import { describe, it } from 'vitest';
import { AppError } from '../../errors.ts';
import { expectLinear, nearMissArbitrary, pathologicalInputs, fuzzApp, fuzzFacts } from '../../testing/pathological.ts';
import { buildCrashRecord } from '../crash.ts';
import type { CrashInput } from '../schemas.ts';
import {
  parseEnvelope,
  sentryEventToCrash,
  sentryKeyFromAuthHeader,
  sentryKeyFromDsn,
  sentryTime,
  sentryUserKey,
} from './index.ts';

// The Sentry routes accept bytes before any key is checked, and their converters run in the
// api for every tenant: each must stay linear in what a client sends.

const inputs = pathologicalInputs();

const app = fuzzApp;
const facts = fuzzFacts;

/** A client error (AppError → 4xx) is an acceptable answer to hostile bytes; anything else is not. */
const refusedOrParsed = (run: () => unknown) => () => {
  try {
    run();
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
  }
};

const hostileEvent = (text: string): Record<string, unknown> => ({
  event_id: text.slice(0, 64),
  message: text,
  release: text,
  platform: 'javascript',
  timestamp: text.slice(0, 100),
  user: { id: text, email: text, username: text },
  tags: { [text.slice(0, 300)]: text },
  exception: {
    values: [
      {
        type: text,
        value: text,
        stacktrace: {
          frames: Array.from({ length: 300 }, () => ({ function: text.slice(0, 600), filename: text.slice(0, 3000) })),
        },
      },
    ],
  },
  breadcrumbs: [{ message: text }],
  extra: { note: text },
});

describe('Sentry protocol helpers are linear in their input', () => {
  it.each(inputs)('parseEnvelope: $name', ({ name, text }) => {
    expectLinear(
      `${name} (as the body)`,
      refusedOrParsed(() => parseEnvelope(Buffer.from(text))),
    );
    const envelope = `{"dsn":${JSON.stringify(text.slice(0, 1000))}}\n{"type":"event"}\n${JSON.stringify({ message: text })}\n`;
    expectLinear(
      `${name} (in an item)`,
      refusedOrParsed(() => parseEnvelope(Buffer.from(envelope))),
    );
  });

  it.each(inputs)('auth header, DSN, user key and timestamps: $name', ({ name, text }) => {
    expectLinear(name, () => sentryKeyFromAuthHeader(`Sentry sentry_key=${text}, sentry_version=7`));
    expectLinear(name, () => sentryKeyFromAuthHeader(text));
    expectLinear(name, () => sentryKeyFromDsn(`http://${text}@host:4000/1`));
    expectLinear(name, () => sentryKeyFromDsn(text));
    expectLinear(name, () => sentryUserKey({ id: text }));
    expectLinear(name, () => sentryTime(text));
  });

  it('auth headers from random near-misses', () => {
    fc.assert(
      fc.property(nearMissArbitrary(16 * 1024), (text) =>
        expectLinear(JSON.stringify(text.slice(0, 40)), () => sentryKeyFromAuthHeader(text)),
      ),
      { numRuns: 40 },
    );
  });

  it.each(inputs.slice(0, 40))('sentryEventToCrash and buildCrashRecord: $name', ({ name, text }) => {
    let crash: CrashInput | undefined;
    expectLinear(name, () => (crash = sentryEventToCrash(hostileEvent(text), { deviceKey: 'device-1' })));
    expectLinear(
      name,
      refusedOrParsed(() => buildCrashRecord(crash!, app, facts, 'device-1')),
    );
  });
});
