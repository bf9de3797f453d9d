import type { ReactNode } from 'react'
import type { PhaseLine } from '../timeline/segments'

/**
 * One row of a phase table — the Timing tab's, the hover card's, Compare's: the phase's name after a swatch in
 * its bar's colour, then the figures the table gives it (`children`: its `td`s). The total row has no swatch and
 * is ruled off (`.total`).
 */
export function PhaseRow({
  line,
  children,
}: {
  line: Pick<PhaseLine, 'label' | 'phase'>
  children: ReactNode
}) {
  const total = line.phase === 'total'
  return (
    <tr className={total ? 'total' : undefined} data-phase={line.phase}>
      <th scope="row">
        {total ? null : <span className="swatch" data-phase={line.phase} aria-hidden="true" />}
        {line.label}
      </th>
      {children}
    </tr>
  )
}
