import { useState } from 'react'
import { useMenuDismiss } from '../hooks/use-menu-dismiss'
import '../styles/waterfall-legend.css'

/** What each colour and mark on the waterfall means, in the order an exchange goes through them. */
const ENTRIES: { key: string; label: string; mark?: 'console' | 'hook' }[] = [
  { key: 'script', label: 'Pre-request script' },
  { key: 'blocked', label: 'Queued / blocked' },
  { key: 'dns', label: 'DNS' },
  { key: 'connect', label: 'TCP connect' },
  { key: 'tls', label: 'TLS' },
  { key: 'send', label: 'Request sent' },
  { key: 'wait', label: 'Waiting (TTFB)' },
  { key: 'receive', label: 'Content download' },
  { key: 'script', label: 'Post-response script' },
  { key: 'error', label: 'Error' },
  { key: 'console', label: 'Script console output', mark: 'console' },
  { key: 'hook', label: 'Webhook call', mark: 'hook' },
]

/**
 * The waterfall's legend, behind a toolbar button drawn as three phase swatches (named "Legend" for screen
 * readers and on hover): a word there pushed the toolbar past one line at 1280 px with the details beside it.
 */
export function WaterfallLegend() {
  const [open, setOpen] = useState(false)
  const wrap = useMenuDismiss<HTMLSpanElement>(open, setOpen)
  return (
    <span className="menu-wrap" ref={wrap}>
      <button
        type="button"
        className="secondary-button small"
        aria-haspopup="true"
        aria-expanded={open}
        aria-label="Legend"
        title="Legend: what each colour and mark means"
        onClick={() => setOpen((o) => !o)}
      >
        <span className="wf-legend-icon" aria-hidden="true">
          <span className="swatch" data-phase="connect" />
          <span className="swatch" data-phase="wait" />
          <span className="swatch" data-phase="receive" />
        </span>
      </button>
      {open ? (
        <ul className="menu wf-legend" aria-label="Waterfall legend" onMouseLeave={() => setOpen(false)}>
          {ENTRIES.map((e, i) => (
            <li key={i} data-legend={e.key}>
              {e.mark ? (
                <span className={`legend-mark ${e.mark}`} aria-hidden="true" />
              ) : (
                <span className="swatch" data-phase={e.key} aria-hidden="true" />
              )}
              {e.label}
            </li>
          ))}
        </ul>
      ) : null}
    </span>
  )
}
