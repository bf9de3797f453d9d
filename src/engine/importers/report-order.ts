/**
 * The import report leads with what a person must act on and folds the long tail into counts. Importers write
 * one plain line per thing not carried over (never silently dropped); this sorts those lines:
 * 1. attention, in this order: requests or parts that were left out, scripts kept but not run, auth that is
 *    not supported, credentials that were moved or not kept;
 * 2. everything else, in the importer's order;
 * 3. the long tail (saved example responses, folder descriptions) as one line per kind with its count.
 */

export interface FoldedLines {
  /** What was folded, in the plural (`saved example responses`). */
  what: string
  /** How many of them (examples, not lines: "3 saved example responses" counts 3). */
  count: number
  /** The lines folded, for a person who wants to see where. */
  lines: string[]
}

export interface ArrangedReport {
  attention: string[]
  other: string[]
  folded: FoldedLines[]
  /** All of it as plain lines: attention, other, then one line per folded kind. */
  unmapped: string[]
}

const ATTENTION: readonly RegExp[] = [
  /left out|not read|cannot|no file|not a request|not an HTTP method|not importable|refuse|kept as text|parameter "[^"]*" not imported/i,
  /script/i,
  /\bauth\b|security scheme|bearer prefix|OAuth/i,
  /credential|secret/i,
]

/** A script fully translated into checks is news, not a problem. */
const FINE = /script[^:]* translated into /i

const FOLDS: readonly { what: string; one: string; test: RegExp; note: string }[] = [
  {
    what: 'saved example responses',
    one: 'saved example response',
    test: /(\d+) saved example responses? not imported/i,
    note: 'not imported (Flightdeck keeps requests, not recorded responses)',
  },
  {
    what: 'folder descriptions',
    one: 'folder description',
    test: /folder description not imported/i,
    note: 'not imported',
  },
]

export function arrangeReport(lines: readonly string[]): ArrangedReport {
  const buckets: string[][] = ATTENTION.map(() => [])
  const other: string[] = []
  const folded = new Map<string, FoldedLines>()
  for (const line of lines) {
    const fold = FOLDS.find((f) => f.test.test(line))
    if (fold) {
      const f = folded.get(fold.what) ?? { what: fold.what, count: 0, lines: [] }
      f.count += Number(fold.test.exec(line)?.[1] ?? 1) || 1
      f.lines.push(line)
      folded.set(fold.what, f)
      continue
    }
    const at = FINE.test(line) ? -1 : ATTENTION.findIndex((re) => re.test(line))
    if (at === -1) other.push(line)
    else buckets[at]?.push(line)
  }
  const attention = buckets.flat()
  const folds = [...folded.values()]
  const summary = folds.map((f) => {
    const kind = FOLDS.find((x) => x.what === f.what)
    return `${f.count} ${f.count === 1 ? (kind?.one ?? f.what) : f.what} ${kind?.note ?? 'not imported'}`
  })
  return { attention, other, folded: folds, unmapped: [...attention, ...other, ...summary] }
}
