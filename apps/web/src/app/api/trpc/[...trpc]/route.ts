import { clientIpOf, forwardedIpHeaders } from '~/server/api-client';
import { webEnv } from '~/server/env';

export const dynamic = 'force-dynamic';

/**
 * The browser's tRPC calls reach the api through here: same origin, so the session cookie
 * goes along, and the browser's address is passed on signed.
 */
async function proxy(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const target = `${webEnv().API_URL}/trpc${url.pathname.slice('/api/trpc'.length)}${url.search}`;
  const headers: Record<string, string> = { ...forwardedIpHeaders(clientIpOf(request.headers)) };
  for (const name of ['cookie', 'content-type', 'trpc-accept', 'x-request-id']) {
    const value = request.headers.get(name);
    if (value) headers[name] = value;
  }
  try {
    const upstream = await fetch(target, {
      method: request.method,
      headers,
      body: request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer(),
      cache: 'no-store',
    });
    const responseHeaders = new Headers();
    for (const name of ['content-type', 'retry-after', 'x-request-id']) {
      const value = upstream.headers.get(name);
      if (value) responseHeaders.set(name, value);
    }
    return new Response(upstream.body, { status: upstream.status, headers: responseHeaders });
  } catch {
    return Response.json(
      [
        {
          error: {
            json: {
              message: 'the Sightline api is unreachable; try again shortly',
              code: -32603,
              data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503 },
            },
          },
        },
      ],
      { status: 503 },
    );
  }
}

export { proxy as GET, proxy as POST };
