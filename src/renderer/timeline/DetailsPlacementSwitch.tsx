import { useAppStore } from '../store/store-context'
import type { DetailsPlacement } from './view-slice'

const CHOICES: readonly { placement: DetailsPlacement; label: string }[] = [
  { placement: 'below', label: 'Details below' },
  { placement: 'right', label: 'Details on the right' },
  { placement: 'hidden', label: 'Hide details' },
]

/** A 14 px picture of the layout: the panel's frame, with the details pane shaded where it would sit. */
function Glyph({ placement }: { placement: DetailsPlacement }) {
  return (
    <svg width="14" height="12" viewBox="0 0 14 12" aria-hidden="true" focusable="false">
      <rect x="0.5" y="0.5" width="13" height="11" rx="1.5" fill="none" stroke="currentColor" />
      {placement === 'below' ? <rect x="1" y="7" width="12" height="4" fill="currentColor" /> : null}
      {placement === 'right' ? <rect x="8" y="1" width="5" height="10" fill="currentColor" /> : null}
    </svg>
  )
}

/** Where the details pane sits: below the timeline, on its right, or hidden. Remembered (see view-slice). */
export function DetailsPlacementSwitch() {
  const placement = useAppStore((s) => s.detailsPlacement)
  const setPlacement = useAppStore((s) => s.setDetailsPlacement)
  return (
    <span className="segmented small tl-placement" role="group" aria-label="Details pane">
      {CHOICES.map((c) => (
        <button
          key={c.placement}
          type="button"
          className={placement === c.placement ? 'segment active' : 'segment'}
          aria-pressed={placement === c.placement}
          aria-label={c.label}
          title={c.label}
          onClick={() => setPlacement(c.placement)}
        >
          <Glyph placement={c.placement} />
        </button>
      ))}
    </span>
  )
}
