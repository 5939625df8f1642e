export * from './stack.ts';
export * from './fingerprint.ts';
export { storeAndGroupCrashes, type GroupOutcome } from './group-crashes.ts';
export { lockSessions, type SessionKey } from './session-lock.ts';
export { isAtOrAfter } from './versions.ts';
export { commentOnCrashGroup, getCrashGroup, listCrashGroups, updateCrashGroup } from './crash-groups.ts';
export * from '../contracts/crashes.ts';
