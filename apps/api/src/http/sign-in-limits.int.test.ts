import { createTestOrg } from '@sightline/core/testing';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from './server.ts';
import {
  CLIENT_ADDRESS_HEADER,
  CLIENT_ADDRESS_SIGNATURE_HEADER,
  clientAddressSignature,
} from '@sightline/core/secrets';
import { createTestServerDeps } from './testing.ts';

// Sign-in limits on the real path: the tRPC `auth.signIn` procedure of an api whose guard has
// the default limits (built as main.ts builds it, no thresholds passed), called as the portal
// calls it, with the browser's address in a header signed with SIGHTLINE_SECRET. A header
// without the right signature names no address: the caller is the socket's peer.

const PASSWORD = 'correct horse battery staple'; // what createTestOrg gives the owner
let db: TestDatabase;
let deps: ReturnType<typeof createTestServerDeps>;
let api: FastifyInstance;

beforeAll(async () => {
  db = await createTestDatabase();
  deps = createTestServerDeps(db.url);
  api = await buildServer(deps);
});

afterAll(async () => {
  await api.close();
  await deps.close();
  await db.drop();
});

/** `signature` null: the header is left out; undefined: signed as the portal signs. */
type Forwarded = { ip: string; signature?: string | null } | null;

/** `auth.signIn` with the forwarded address as given. */
async function signIn(email: string, password: string, forwarded: Forwarded) {
  const res = await api.inject({
    method: 'POST',
    url: '/trpc/auth.signIn',
    remoteAddress: '10.9.8.7', // the portal's own address, as the api sees it
    headers: {
      'content-type': 'application/json',
      ...(forwarded
        ? {
            [CLIENT_ADDRESS_HEADER]: forwarded.ip,
            ...(forwarded.signature !== null
              ? { [CLIENT_ADDRESS_SIGNATURE_HEADER]: forwarded.signature ?? clientAddressSignature(deps.secret, forwarded.ip) }
              : {}),
          }
        : {}),
    },
    payload: { json: { email, password } },
  });
  return res.statusCode;
}

async function statuses(n: number, attempt: (i: number) => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await attempt(i));
  return out;
}

/** The peer's own failures, so each test starts from a fresh peer: tests share one api. */
let peer = 0;
const freshIp = () => `198.51.100.${++peer}`;

describe('sign-in limits through auth.signIn with the default limits', () => {
  it('refuses the 6th wrong password from one address, not the 5th, while another address is untouched', async () => {
    const { owner } = await createTestOrg(deps.prisma);
    const attacker = freshIp();
    const other = freshIp();
    const fromAttacker = await statuses(7, (i) => signIn(owner.email, `guess ${i}`, { ip: attacker }));
    expect(fromAttacker).toEqual([401, 401, 401, 401, 401, 429, 429]);
    // The pair (account, other address) has its own count: its guess is checked, not refused.
    expect(await signIn(owner.email, 'guess 0', { ip: other })).toBe(401);
    expect(await signIn(owner.email, PASSWORD, { ip: attacker })).toBe(429);
    expect(await signIn(owner.email, PASSWORD, { ip: freshIp() })).toBe(200);
  });

  it('lets one address make 20 attempts a minute, whatever the accounts, and the 21st is 429', async () => {
    const crowd = freshIp();
    const tries = await statuses(21, (i) => signIn(`nobody-${i}@example.test`, 'whatever', { ip: crowd }));
    expect(tries).toEqual([...Array<number>(20).fill(401), 429]);
    // Counted per address: a neighbour behind the same portal is not refused.
    const { owner } = await createTestOrg(deps.prisma);
    expect(await signIn(owner.email, PASSWORD, { ip: freshIp() })).toBe(200);
  });

  it('ignores a forwarded address that is unsigned or signed for another address: the peer is throttled', async () => {
    const { owner } = await createTestOrg(deps.prisma);
    // An attacker reaching the api directly rotates the address it claims with each guess.
    // Were the claim believed, each guess would start a fresh pair and never meet a delay.
    const forged = await statuses(3, (i) =>
      signIn(owner.email, `forged ${i}`, { ip: freshIp(), signature: 'not-the-signature' }),
    );
    const unsigned = await statuses(2, (i) => signIn(owner.email, `unsigned ${i}`, { ip: freshIp(), signature: null }));
    const stolen = await statuses(1, () =>
      signIn(owner.email, 'stolen', { ip: freshIp(), signature: clientAddressSignature(deps.secret, '192.0.2.200') }),
    );
    const none = await statuses(1, () => signIn(owner.email, 'no header', null));
    // All seven came from the one peer: five free failures, then the delay.
    expect([...forged, ...unsigned, ...stolen, ...none]).toEqual([401, 401, 401, 401, 401, 429, 429]);
    // The owner, forwarded by the portal from their own address, is not held up by it.
    expect(await signIn(owner.email, PASSWORD, { ip: freshIp() })).toBe(200);
  });
});
