export { generateKey, hashKey, keyKindOf, randomAlphanumeric, type GeneratedKey, type KeyKind } from './keys.ts';
