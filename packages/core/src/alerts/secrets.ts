import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

// Channel secrets (Slack bot tokens, webhook signing secrets) are stored encrypted with
// AES-256-GCM under a key derived from SIGHTLINE_SECRET: nonce ‖ tag ‖ ciphertext.

const keyOf = (secret: string): Buffer => createHash('sha256').update(`sightline:channel-secrets:${secret}`).digest();

export function sealSecret(secret: string, plaintext: string): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret), nonce);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([nonce, cipher.getAuthTag(), body]);
}

export function openSecret(secret: string, sealed: Uint8Array): string {
  const data = Buffer.from(sealed);
  const decipher = createDecipheriv('aes-256-gcm', keyOf(secret), data.subarray(0, 12));
  decipher.setAuthTag(data.subarray(12, 28));
  return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
}
