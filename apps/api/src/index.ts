export { buildServer, type ServerDeps } from './http/server.ts';
export type { AppRouter } from './trpc/router.ts';
