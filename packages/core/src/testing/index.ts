export { createTestApiKey, createTestApp, createTestOrg } from './factories.ts';
export { testCrashRecord } from './crash-record.ts';
export { CHROMIUM } from './chromium.ts';
export { freePort, freePorts, portOpen } from './ports.ts';
export { startOwnRedis, type OwnRedis } from './redis-server.ts';
export { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';
export { startNginx, type TestNginx } from './nginx.ts';
export { until } from './until.ts';
