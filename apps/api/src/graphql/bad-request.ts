import type { Plugin } from 'graphql-yoga';

interface HttpExtension {
  status?: number;
  spec?: boolean;
}

// Yoga marks documents that fail to parse or validate (graphql-armor's limits included) as
// 400 "by the spec", which it downgrades to 200 for clients that accept application/json.
// They are the client's mistake and nothing ran, so every client gets 400 and can tell them
// from a partial result.
const isErrorList = (value: unknown): value is Array<{ extensions?: { http?: HttpExtension } }> => Array.isArray(value);

/** Rejected documents (syntax, validation, armor limits) answer HTTP 400 whatever the Accept header. */
export function rejectedDocumentsAreBadRequests(): Plugin {
  return {
    onResultProcess({ result }) {
      const errors = 'errors' in result ? result.errors : undefined;
      if (!isErrorList(errors)) return;
      for (const error of errors) {
        const http = error.extensions?.http;
        if (http?.spec && http.status === 400) http.spec = false;
      }
    },
  };
}
