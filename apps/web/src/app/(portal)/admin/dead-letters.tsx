'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Notice, formatDate } from '~/components/ui';
import { errorMessage, useTRPC } from '~/lib/trpc';

/**
 * What the ingestion writers could not store, with a Replay action: the letter goes back to
 * its buffer stream and leaves the list; one that fails again comes back with its reason.
 */
export function DeadLetters() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const letters = useQuery({ ...trpc.admin.deadLetters.queryOptions({ limit: 100 }), retry: false });
  const replay = useMutation(
    trpc.admin.replayDeadLetters.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.admin.deadLetters.queryFilter()),
    }),
  );
  const failure = letters.error ?? replay.error;
  const count = letters.data?.count ?? 0;

  return (
    <section aria-labelledby="dead-letters">
      <h2 id="dead-letters">Dead letters</h2>
      <p className="muted">
        Telemetry the writers could not store, newest first ({count.toLocaleString('en')} kept). Replaying re-appends it
        to the ingestion buffer; stored events and crash reports are not stored twice.
      </p>
      <Notice kind="error">{failure ? errorMessage(failure) : null}</Notice>
      {replay.data ? (
        <Notice kind="ok">{`${replay.data.filter((o) => o.status === 'replayed').length} replayed`}</Notice>
      ) : null}
      {letters.data && letters.data.letters.length > 0 ? (
        <>
          <button type="button" className="secondary" disabled={replay.isPending} onClick={() => replay.mutate({})}>
            Replay all
          </button>
          <table>
            <thead>
              <tr>
                <th>Id</th>
                <th>Stream</th>
                <th>Kind</th>
                <th>Reason</th>
                <th>Time</th>
                <th>Size</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {letters.data.letters.map((letter) => (
                <tr key={letter.id}>
                  <td>
                    <code>{letter.id}</code>
                    {letter.eventId ? <div className="muted">event {letter.eventId}</div> : null}
                  </td>
                  <td>{letter.stream}</td>
                  <td>{letter.kind}</td>
                  <td>{letter.reason}</td>
                  <td>{formatDate(letter.at)}</td>
                  <td>{letter.dropped ? 'not kept' : `${letter.size.toLocaleString('en')} B`}</td>
                  <td>
                    <button
                      type="button"
                      disabled={replay.isPending || letter.dropped}
                      aria-label={`Replay ${letter.id}`}
                      onClick={() => replay.mutate({ id: letter.id })}
                    >
                      Replay
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : letters.data ? (
        <p>Nothing waiting: every acknowledged request was stored.</p>
      ) : null}
    </section>
  );
}
