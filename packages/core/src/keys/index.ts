export { generateKey, hashKey, keyKindOf, randomAlphanumeric, type GeneratedKey, type KeyKind } from './keys.ts';
export { issueDeviceToken, verifyDeviceTokenSignature, type IssuedDeviceToken } from './device-token.ts';
export {
  createCredentialResolver,
  type CredentialCache,
  type CredentialKind,
  type CredentialResolver,
  type Principal,
  type ResolverOptions,
} from './resolver.ts';
export { flushLastUsed } from './last-used.ts';
