import { createRequire } from 'node:module'

/** newman, Postman's own runner, as the tests call it: what it sends is what a Postman user expects. */

interface NewmanSummary {
  run: {
    stats: { assertions: { total: number; failed: number } }
    failures: { error: { message: string } }[]
  }
}
const require = createRequire(import.meta.url)
const newman = require('newman') as {
  run(
    o: { collection: unknown; reporters: string[]; timeout: number },
    done: (e: Error | null, s: NewmanSummary) => void,
  ): void
}

/** Run a collection (its JSON) with newman to the end; the messages of the checks that failed. */
export async function runNewman(collection: unknown): Promise<string[]> {
  const summary = await new Promise<NewmanSummary>((resolve, reject) =>
    newman.run({ collection, reporters: [], timeout: 30_000 }, (e, s) => (e ? reject(e) : resolve(s))),
  )
  return summary.run.failures.map((f) => f.error.message)
}
