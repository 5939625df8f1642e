import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePorts, portOpen } from './ports.ts';

describe('freePorts', () => {
  it('hands out different ports, each free to listen on', async () => {
    const ports = await freePorts(3);
    expect(new Set(ports).size).toBe(3);
    for (const port of ports) {
      expect(await portOpen(port)).toBe(false);
      const server = createServer();
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
