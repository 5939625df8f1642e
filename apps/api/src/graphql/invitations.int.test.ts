import type { AddressInfo } from 'node:net';
import { acceptInvitation, createSmtpMailer, inviteMember, requireMembership } from '@sightline/core';
import { createTestApiKey, createTestOrg } from '@sightline/core/testing';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type { FastifyInstance } from 'fastify';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../http/server.ts';
import { portalSessionCookie } from '../http/session-testing.ts';
import { createTestServerDeps } from '../http/testing.ts';

// A real SMTP conversation with a local server that keeps what it receives.
const received: Array<{ to: string[]; raw: string }> = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  onData(stream, session, callback) {
    let raw = '';
    stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    stream.on('end', () => {
      received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
      callback();
    });
  },
});

let db: TestDatabase;
let deps: ReturnType<typeof createTestServerDeps>;
let api: FastifyInstance;

beforeAll(async () => {
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as AddressInfo;
  db = await createTestDatabase();
  deps = createTestServerDeps(
    db.url,
    createSmtpMailer(`smtp://127.0.0.1:${port}`, 'Sightline <no-reply@sightline.test>'),
  );
  api = await buildServer(deps);
});

afterAll(async () => {
  await api.close();
  await deps.close();
  await db.drop();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

describe('invitations by email', () => {
  it('emails a link that lets the invitee join with the invited role', async () => {
    const { org } = await createTestOrg(deps.prisma, { name: 'Acme Robotics' });
    const key = await createTestApiKey(deps.prisma, org.id, ['admin']);
    const res = await api.inject({
      method: 'POST',
      url: '/graphql',
      headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' },
      payload: { query: 'mutation { inviteMember(email: "new.hire@example.test", role: VIEWER) { email role } }' },
    });
    expect(res.json()).toEqual({ data: { inviteMember: { email: 'new.hire@example.test', role: 'VIEWER' } } });

    const mail = received.find((m) => m.to.includes('new.hire@example.test'));
    expect(mail?.raw).toMatch(/Subject: Join Acme Robotics on Sightline/);
    const unfolded = mail!.raw.replace(/=\r?\n/g, '');
    const token = /http:\/\/portal\.test\/invitations\/([A-Za-z0-9_-]+)/.exec(unfolded)?.[1];
    expect(token).toBeTruthy();

    const user = await deps.prisma.user.create({
      data: { email: 'new.hire@example.test', emailVerified: new Date() },
    });
    await acceptInvitation(deps.prisma, user.id, token!);
    expect((await requireMembership(deps.prisma, user.id, org.id)).role).toBe('VIEWER');
  });

  it('lets only a verified address accept: an unverified one is told to verify, gets a new link, then joins', async () => {
    const { org, owner: ownerUser } = await createTestOrg(deps.prisma, { name: 'Verified Only' });
    const owner = await requireMembership(deps.prisma, ownerUser.id, org.id);
    const { token } = await inviteMember(deps.prisma, owner, { email: 'squatted@example.test', role: 'MEMBER' });
    // Anyone could have signed up with this address before its owner did.
    const user = await deps.prisma.user.create({ data: { email: 'squatted@example.test' } });
    const cookie = await portalSessionCookie(deps.secret, user.id);
    const call = (path: string, input: unknown) =>
      api.inject({
        method: 'POST',
        url: `/trpc/${path}`,
        headers: { cookie, 'content-type': 'application/json' },
        payload: { json: input },
      });

    const refused = await call('invitations.accept', { token });
    expect(refused.statusCode).toBe(403);
    expect(refused.json<{ error: { json: { message: string } } }>().error.json.message).toMatch(
      /verify your email first/,
    );
    await expect(requireMembership(deps.prisma, user.id, org.id)).rejects.toThrow();

    expect((await call('auth.resendVerification', null)).statusCode).toBe(200);
    const mail = received.find((m) => m.to.includes('squatted@example.test'));
    const unfolded = mail!.raw.replace(/=\r?\n/g, '');
    const verification = /http:\/\/portal\.test\/verify-email\/([A-Za-z0-9_-]+)/.exec(unfolded)?.[1];
    expect(verification).toBeTruthy();
    expect((await call('auth.verifyEmail', { token: verification })).statusCode).toBe(200);

    expect((await call('invitations.accept', { token })).statusCode).toBe(200);
    expect((await requireMembership(deps.prisma, user.id, org.id)).role).toBe('MEMBER');
  });
});
