import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { isAppError, type AppError } from '@sightline/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GraphQLError, ValidationContext } from 'graphql';
// createGraphQLError from yoga itself: a GraphQLError from a second copy of graphql (ESM vs
// CJS) would fail yoga's instanceof check and be masked as an unexpected error.
import { createGraphQLError, createSchema, createYoga } from 'graphql-yoga';
import type { ServerDeps } from '../http/server.ts';
import { requestActor } from '../http/actor.ts';
import { rejectedDocumentsAreBadRequests } from './bad-request.ts';
import { createLoaders } from './loaders.ts';
import { resolvers, type GraphQLContext } from './resolvers.ts';
import { typeDefs } from './schema.graphql.ts';

type Resolver = (...args: never[]) => unknown;

/** A limit reached answers 429 with Retry-After, as REST and tRPC do; yoga reads `http`. */
function serviceErrorExtensions(error: AppError) {
  const base = { code: error.code, issues: error.issues };
  // A refusal the client should retry later (429/503) is the response's status too.
  if (error.retryAfter === undefined) return base;
  return {
    ...base,
    retryAfter: error.retryAfter,
    http: { status: error.status, headers: { 'retry-after': String(error.retryAfter) } },
  };
}

/**
 * Service errors (AppError) become GraphQL errors carrying their code and message; yoga
 * masks everything else as an unexpected error, so nothing internal leaks.
 */
function withServiceErrors<T extends Record<string, Record<string, Resolver>>>(map: T): T {
  const wrapped: Record<string, Record<string, Resolver>> = {};
  for (const [typeName, fields] of Object.entries(map)) {
    wrapped[typeName] = {};
    for (const [field, fn] of Object.entries(fields)) {
      wrapped[typeName][field] = async (...args: never[]) => {
        try {
          return await fn(...args);
        } catch (error) {
          if (isAppError(error)) throw createGraphQLError(error.message, { extensions: serviceErrorExtensions(error) });
          throw error;
        }
      };
    }
  }
  return wrapped as T;
}

// The armor rules throw from inside validation by default, which yoga answers like a crash
// (no code, HTTP 200); reported, they are validation errors like any other: 400.
const reportedAsValidationError = {
  propagateOnRejection: false,
  onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)],
};

interface ServerContext {
  req: FastifyRequest;
  reply: FastifyReply;
}

/** GraphQL for integrations at /graphql: secret keys (sk_) with scopes, or a portal session; GraphiQL on GET. */
export function registerGraphQL(app: FastifyInstance, deps: ServerDeps): void {
  const yoga = createYoga<ServerContext & GraphQLContext>({
    schema: createSchema<ServerContext & GraphQLContext>({ typeDefs, resolvers: withServiceErrors(resolvers) }),
    graphqlEndpoint: '/graphql',
    logging: false,
    // The api's CORS policy (http/cors.ts) answers for /graphql; yoga's default reflects any origin with credentials.
    cors: false,
    // One request is one operation (yoga's batching stays off) with at most 20 aliases, so it
    // runs at most 20 mutations; tokens bound the parser's work before any rule runs. GraphiQL's
    // introspection query is ~190 tokens, the largest query in our tests ~80.
    batching: false,
    plugins: [
      rejectedDocumentsAreBadRequests(),
      maxTokensPlugin({ n: 2000 }),
      maxAliasesPlugin({ n: 20, ...reportedAsValidationError }),
      maxDirectivesPlugin({ n: 20, ...reportedAsValidationError }),
      maxDepthPlugin({ n: 8, ...reportedAsValidationError }),
      costLimitPlugin({ maxCost: 5000, ...reportedAsValidationError }),
    ],
  });

  app.route({
    url: '/graphql',
    method: ['GET', 'POST', 'OPTIONS'],
    handler: async (req, reply) => {
      const wantsPage = req.method === 'GET' && !(req.query as Record<string, unknown>).query;
      // The GraphiQL page is public; every operation needs a key, checked before GraphQL runs.
      const actor = wantsPage || req.method === 'OPTIONS' ? null : await requestActor(deps, req);
      const response = await yoga.handleNodeRequestAndResponse(req, reply, {
        req,
        reply,
        ...(actor
          ? {
              actor,
              prisma: deps.prisma,
              resolver: deps.resolver,
              mailer: deps.mailer,
              webUrl: deps.webUrl,
              publicApiUrl: deps.publicApiUrl,
              secret: deps.secret,
              alertQueue: deps.alertQueue,
              outbound: deps.outbound,
              analyticsCache: deps.analyticsCache,
              loaders: createLoaders(deps.prisma, actor),
              privacy: deps,
            }
          : {}),
      });
      response.headers.forEach((value, key) => void reply.header(key, value));
      return reply.status(response.status).send(response.body);
    },
  });
}
