import { useAppStore } from '../store/store-context'
import { TraceLine } from '../timeline/TraceLink'
import type { RequestTally } from './runner-slice'
import { wholeRunTrace } from './run-traces'

/** The environment the run ran in: its `traceLink` is what Open trace opens, whichever one is active. */
function useRunEnvironment(): { dir: string; env: string } | undefined {
  const dir = useAppStore((s) => s.runConfig?.dir)
  const env = useAppStore((s) => s.runConfig?.env)
  return dir === undefined || env === undefined ? undefined : { dir, env }
}

/** The run's one trace (`per-run`), once above the table, with Copy and Open trace. */
export function RunTraceLine({ requests }: { requests: readonly RequestTally[] }) {
  const environment = useRunEnvironment()
  const id = wholeRunTrace(requests)
  if (id === null) return null
  return <TraceLine traceId={id} note="the whole run" {...(environment ? { environment } : {})} />
}

/** A request's trace in its row, unless the whole run is one trace (named above the table). */
export function RequestTraceLine({ tally, whole }: { tally: RequestTally; whole: boolean }) {
  const environment = useRunEnvironment()
  const t = tally.trace
  if (whole || t === undefined) return null
  const note = `#${t.iteration + 1}${t.failed ? ', failed' : ''}`
  return <TraceLine traceId={t.id} note={note} {...(environment ? { environment } : {})} />
}
