/**
 * Folding in a virtualised line list: which body line each visible row shows when some containers are folded.
 * A fold hides the lines after its opening line up to and including its closing line. Folds inside a folded
 * range are ignored (they are hidden anyway). Everything here is O(number of folds), never O(lines).
 */
export type Fold = readonly [open: number, close: number]

/** Folds sorted by opening line, with folds nested in another fold dropped. */
export function normalizeFolds(folds: ReadonlyMap<number, number>): Fold[] {
  const sorted = [...folds.entries()].filter(([o, c]) => c > o).sort((a, b) => a[0] - b[0])
  const out: Fold[] = []
  let coveredTo = -1
  for (const [o, c] of sorted) {
    if (o <= coveredTo) continue
    out.push([o, c])
    coveredTo = c
  }
  return out
}

/** Rows shown for `total` lines with these (normalised) folds. */
export function visibleRows(total: number, folds: readonly Fold[]): number {
  let hidden = 0
  for (const [o, c] of folds) if (o < total) hidden += Math.min(c, total - 1) - o
  return Math.max(0, total - hidden)
}

/** The body line shown on visible row `row`. */
export function lineOfRow(row: number, folds: readonly Fold[]): number {
  let line = row
  for (const [o, c] of folds) {
    if (o >= line) break
    line += c - o
  }
  return line
}

/** The visible row showing `line`, or the row of the fold hiding it. */
export function rowOfLine(line: number, folds: readonly Fold[]): number {
  let hidden = 0
  for (const [o, c] of folds) {
    if (o >= line) break
    if (line <= c) return o - hidden
    hidden += c - o
  }
  return line - hidden
}

/** Remove every fold that hides `line`, so a search hit can be shown. */
export function unfoldAround(folds: ReadonlyMap<number, number>, line: number): Map<number, number> {
  const next = new Map(folds)
  for (const [o, c] of folds) if (o < line && line <= c) next.delete(o)
  return next
}
