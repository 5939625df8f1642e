export * from './stack.ts';
export * from './fingerprint.ts';
export { storeAndGroupCrashes, type GroupOutcome } from './group-crashes.ts';
export { isAtOrAfter } from './versions.ts';
