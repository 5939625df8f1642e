import type { SignupMode } from '@sightline/core';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from './server.ts';
import { createTestServerDeps } from './testing.ts';

// SIGNUP as the portal meets it: `auth.signupMode` tells the sign-up page what to show, and
// `auth.signUp` answers 403 naming the mode when self sign-up is not allowed.

const started: Array<{ db: TestDatabase; deps: ReturnType<typeof createTestServerDeps>; api: FastifyInstance }> = [];
const apis: Partial<Record<SignupMode, FastifyInstance>> = {};

beforeAll(async () => {
  for (const mode of ['open', 'invite', 'closed'] as const) {
    const db = await createTestDatabase('sightline_signup_api');
    const deps = createTestServerDeps(db.url);
    const api = await buildServer({ ...deps, signupMode: mode });
    started.push({ db, deps, api });
    apis[mode] = api;
  }
});

afterAll(async () => {
  for (const { db, deps, api } of started) {
    await api.close();
    await deps.close();
    await db.drop();
  }
});

const form = () => ({
  name: 'Ada',
  email: `ada-${Math.random().toString(36).slice(2)}@example.test`,
  password: 'a long and unusual passphrase',
  organization: `Engines ${Math.random().toString(36).slice(2)}`,
});

async function signUp(mode: SignupMode) {
  const res = await apis[mode]!.inject({
    method: 'POST',
    url: '/trpc/auth.signUp',
    headers: { 'content-type': 'application/json' },
    payload: { json: form() },
  });
  return {
    status: res.statusCode,
    body: res.json<{ result?: { data: { json: Record<string, unknown> } }; error?: { json: { message: string } } }>(),
  };
}

async function modeOf(mode: SignupMode): Promise<unknown> {
  const res = await apis[mode]!.inject({ method: 'GET', url: '/trpc/auth.signupMode' });
  expect(res.statusCode).toBe(200);
  return res.json<{ result: { data: { json: unknown } } }>().result.data.json;
}

describe('SIGNUP over the api', () => {
  it('tells the portal the mode without a session', async () => {
    expect(await modeOf('open')).toBe('open');
    expect(await modeOf('invite')).toBe('invite');
    expect(await modeOf('closed')).toBe('closed');
  });

  it('open: anyone signs up; the first account is told it is platform admin, the next is not', async () => {
    const first = await signUp('open');
    expect(first.status).toBe(200);
    expect(first.body.result?.data.json).toMatchObject({ platformAdmin: true });
    const second = await signUp('open');
    expect(second.body.result?.data.json).toMatchObject({ platformAdmin: false });
  });

  it('invite: the first account gets in, then plain sign-up is 403 naming the mode', async () => {
    expect((await signUp('invite')).status).toBe(200);
    const refused = await signUp('invite');
    expect(refused.status).toBe(403);
    expect(refused.body.error?.json.message).toMatch(/invitation only.*SIGNUP=invite/);
  });

  it('closed: 403 naming the mode, even on an empty installation', async () => {
    const refused = await signUp('closed');
    expect(refused.status).toBe(403);
    expect(refused.body.error?.json.message).toMatch(/sign-up is closed.*SIGNUP=closed/);
  });
});
