import type { ReactNode } from 'react'

/**
 * A details pane's facts, each value beside its label (`.facts`: a two-column grid). `className` adds a layout
 * (the runner's summary sets three facts a line); `label` names the list for assistive technology. Each value
 * carries its label as `data-fact`, so a figure can be found by what it is.
 */
export function FactList({
  facts,
  className,
  label,
}: {
  facts: readonly (readonly [string, ReactNode])[]
  className?: string
  label?: string
}) {
  return (
    <dl className={className ? `facts ${className}` : 'facts'} aria-label={label}>
      {facts.map(([k, v]) => (
        <div key={k} className="fact">
          <dt>{k}</dt>
          <dd data-fact={k}>{v}</dd>
        </div>
      ))}
    </dl>
  )
}
