import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { escapeSlackText } from './deliver.ts';
import { checkTarget, maskWebhookUrl, refusedRange, STRICT_TARGETS, targetPolicySchema } from './targets.ts';

const policy = (value: string) => targetPolicySchema.parse(value);

describe('webhook targets', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.4.2', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.100.100.200', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'loopback'],
    ['fd00:ec2::254', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['2002:7f00:1::', '6to4'],
    ['::7f00:1', 'ipv4Compatible'],
    ['::a9fe:a9fe', 'ipv4Compatible'],
  ])('refuses %s (%s) by default', (address, range) => {
    expect(refusedRange(STRICT_TARGETS, 'hooks.example.com', address)).toBe(range);
  });

  it.each(['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111'])('lets the public address %s through', (address) => {
    expect(refusedRange(STRICT_TARGETS, 'hooks.example.com', address)).toBeNull();
  });

  it('lets an operator allow ranges, addresses and host names, and names a bad entry', () => {
    const allowed = policy('10.20.0.0/16, 127.0.0.1, hooks.internal');
    expect(refusedRange(allowed, 'x', '10.20.3.4')).toBeNull();
    expect(refusedRange(allowed, 'x', '::ffff:10.20.3.4')).toBeNull();
    expect(refusedRange(allowed, 'x', '10.21.0.1')).toBe('private');
    expect(refusedRange(allowed, 'x', '127.0.0.1')).toBeNull();
    expect(refusedRange(allowed, 'x', '127.0.0.2')).toBe('loopback');
    expect(refusedRange(allowed, 'hooks.internal', '192.168.0.9')).toBeNull();
    expect(refusedRange(policy('true'), 'x', '169.254.169.254')).toBeNull();
    expect(refusedRange(policy('false'), 'x', '10.0.0.1')).toBe('private');
    const bad = z.object({ ALERT_ALLOW_PRIVATE_TARGETS: targetPolicySchema }).safeParse({
      ALERT_ALLOW_PRIVATE_TARGETS: '10.0.0.0/8,not a host',
    });
    expect(bad.error?.issues[0]?.message).toMatch(/"not a host" is not a CIDR, an address or a host name/);
  });

  it('refuses a name when any of its addresses is refused, and URL spellings of loopback', async () => {
    const resolve = () =>
      Promise.resolve([
        { address: '93.184.216.34', family: 4 },
        { address: '10.0.0.7', family: 4 },
      ]);
    await expect(checkTarget(new URL('https://hooks.example.com/x'), STRICT_TARGETS, resolve)).rejects.toThrow(
      /hooks.example.com is a private address/,
    );
    for (const url of ['http://2130706433/', 'http://0x7f.1/', 'http://[::ffff:7f00:1]/', 'http://127.1/']) {
      await expect(checkTarget(new URL(url), STRICT_TARGETS)).rejects.toThrow(/loopback address/);
    }
  });

  it('masks a URL to its origin', () => {
    expect(maskWebhookUrl('https://user:pw@hooks.slack.com/services/T0/B0/secret?x=1')).toBe(
      'https://hooks.slack.com/…',
    );
  });

  it('escapes what Slack reads as commands and links', () => {
    expect(escapeSlackText('<!channel> see <http://evil.example|click> & co')).toBe(
      '&lt;!channel&gt; see &lt;http://evil.example|click&gt; &amp; co',
    );
  });
});
