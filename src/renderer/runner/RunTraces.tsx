import { TraceLine } from '../timeline/TraceLink'
import type { RequestTally } from './runner-slice'
import { wholeRunTrace } from './run-traces'

/** The run's one trace (`per-run`), once above the table, with Copy and Open trace. */
export function RunTraceLine({ requests }: { requests: readonly RequestTally[] }) {
  const id = wholeRunTrace(requests)
  return id === null ? null : <TraceLine traceId={id} note="the whole run" />
}

/** A request's trace in its row, unless the whole run is one trace (named above the table). */
export function RequestTraceLine({ tally, whole }: { tally: RequestTally; whole: boolean }) {
  const t = tally.trace
  if (whole || t === undefined) return null
  const note = `#${t.iteration + 1}${t.failed ? ', failed' : ''}`
  return <TraceLine traceId={t.id} note={note} />
}
