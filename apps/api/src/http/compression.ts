import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import type { Transform } from 'node:stream';

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * Bodies sent with Content-Encoding gzip, deflate or br are decoded before parsing; the
 * body limit then applies to the decoded size, so a small bomb cannot expand unchecked.
 */
export function installBodyDecoding(app: FastifyInstance): void {
  app.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = request.headers['content-encoding']?.trim().toLowerCase();
    if (!encoding || encoding === 'identity') return payload;
    const decoder = DECODERS[encoding];
    if (!decoder) {
      throw Object.assign(new Error(`unsupported Content-Encoding "${encoding}"; send gzip, deflate, br or none`), {
        statusCode: 415,
      });
    }
    const decoded = payload.pipe(decoder()) as Transform & { receivedEncodedLength?: number };
    // Broken compressed data is the client's fault: a 400, not a crash.
    decoded.on('error', (error: Error & { statusCode?: number }) => {
      error.statusCode = 400;
      error.message = `body is not valid ${encoding}: ${error.message}`;
    });
    // Fastify compares this with Content-Length, which counts the encoded bytes.
    const length = Number(request.headers['content-length']);
    if (Number.isFinite(length)) decoded.receivedEncodedLength = length;
    return decoded;
  });
}
