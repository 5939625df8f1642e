export { buildServer, type ServerDeps } from './http/server.ts';
