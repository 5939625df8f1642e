import type { DoctorEnv } from '../../../env.ts';
import { error, ok, warn, type Finding } from './finding.ts';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);
const isLoopback = (host: string): boolean => LOOPBACK_HOSTS.has(host) || host.startsWith('127.');

/** Rough guessing effort in bits: length × log2(distinct characters). Random hex of 32 gives 128. */
export function secretBits(secret: string): number {
  const distinct = new Set(secret).size;
  return distinct < 2 ? 0 : Math.round(secret.length * Math.log2(distinct));
}

export function checkConfiguration(env: DoctorEnv): Finding[] {
  if (!env.server) {
    return [
      error(
        'config',
        `the api would not start: ${(env.serverError ?? '')
          .split('\n')
          .map((line) => line.trim())
          .filter(Boolean)
          .join('; ')}`,
        'set or correct the variables named (README, Configuration); SIGHTLINE_SECRET: `openssl rand -hex 32`',
      ),
    ];
  }
  const server = env.server;
  const findings: Finding[] = [ok('config', 'the api configuration parses')];

  const bits = secretBits(server.SIGHTLINE_SECRET);
  findings.push(
    bits < 128 || /change.?me|example|secret|password/i.test(server.SIGHTLINE_SECRET)
      ? error(
          'secret',
          `SIGHTLINE_SECRET looks guessable (about ${bits} bits, or a placeholder word): it signs device tokens and seals stored secrets`,
          'set SIGHTLINE_SECRET to `openssl rand -hex 32`; changing it ends device tokens and needs channel secrets re-entered',
        )
      : ok('secret', `SIGHTLINE_SECRET is ${server.SIGHTLINE_SECRET.length} characters (about ${bits} bits)`),
  );

  const publicHost = !isLoopback(server.HOST);
  for (const name of ['PUBLIC_API_URL', 'PUBLIC_WEB_URL'] as const) {
    findings.push(checkPublicUrl(name, server[name], env.unset[name], publicHost, server.HOST));
  }
  findings.push(checkSignup(server.SIGNUP, server.PUBLIC_WEB_URL));
  return findings;
}

/** Open sign-up on a portal others can reach: anyone gets an organization with the default quota. */
function checkSignup(mode: string, webUrl: string): Finding {
  if (mode === 'open' && !isLoopback(new URL(webUrl).hostname)) {
    return warn(
      'signup',
      `SIGNUP=open and the portal is public (${webUrl}): anyone can create an account and an organization`,
      'set SIGNUP=invite (sign-up by invitation) or SIGNUP=closed (accounts by `sightline create-user`) once your accounts exist',
    );
  }
  return ok('signup', `SIGNUP=${mode}`);
}

function checkPublicUrl(name: string, value: string, unset: boolean, publicHost: boolean, host: string): Finding {
  const check = name.toLowerCase().replaceAll('_', '-');
  const what = name === 'PUBLIC_API_URL' ? 'DSNs, SDK snippets and the script URL' : 'links in emails and alerts';
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return error(
      check,
      `${name} is ${value}: only http:// or https:// work`,
      `set ${name} to the https:// address people use`,
    );
  }
  if (unset) {
    return warn(
      check,
      `${name} is not set, so ${what} say ${value}`,
      `set ${name} to the address users reach (e.g. https://${name === 'PUBLIC_API_URL' ? 'sightline-api' : 'sightline'}.example.com)`,
    );
  }
  if (isLoopback(url.hostname) && publicHost) {
    return warn(
      check,
      `${name} is ${value} but the api listens on HOST=${host}: other machines cannot use ${what}`,
      `set ${name} to this machine's public address (or HOST=127.0.0.1 behind a local reverse proxy)`,
    );
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    return warn(
      check,
      `${name} is plain http (${value}): passwords, sessions and keys cross the network unencrypted`,
      'put a TLS reverse proxy in front (docs/reverse-proxy.md) and use https://',
    );
  }
  return ok(check, `${name} is ${value}`);
}
