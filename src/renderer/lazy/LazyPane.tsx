import { Component, lazy, Suspense, type ComponentType, type ReactNode } from 'react'
import './lazy-pane.css'

/**
 * A pane whose code is a separate chunk, loaded the first time the pane is shown (the editors, GraphQL, the
 * protocol panes): the window's first paint does not wait to compile code most sessions never run. While the
 * chunk loads, a placeholder of the pane's usual height holds its place, so nothing below it jumps when it
 * arrives. A chunk that cannot load (the file is gone, or its bytes fail the page's integrity pin) says so in
 * the pane, and the rest of the window keeps working.
 */

/** How tall the placeholder is: a code editor with its tool row, GraphQL's editors, or a form-sized pane. */
export type PaneSize = 'editor' | 'graphql' | 'panel' | 'line'

interface BoundaryProps {
  name: string
  children: ReactNode
}

class PaneBoundary extends Component<BoundaryProps, { error: string | null }> {
  override state: { error: string | null } = { error: null }

  static getDerivedStateFromError(e: unknown): { error: string } {
    return { error: e instanceof Error ? e.message : String(e) }
  }

  override render(): ReactNode {
    if (this.state.error === null) return this.props.children
    return (
      <div className="pane-load-error" role="alert">
        The {this.props.name} could not be loaded ({this.state.error}). Its code is missing or does not match
        this build: reload the window; if it persists, rebuild or reinstall Flightdeck.
      </div>
    )
  }
}

/**
 * `load` resolves to the pane's component; `name` is what the user is told is loading or failed. `Preview`, given
 * the pane's props, stands in while it loads (what the pane will show, read only, in words) instead of the
 * empty placeholder.
 */
export function lazyPane<P extends object>(
  name: string,
  load: () => Promise<ComponentType<P>>,
  size: PaneSize = 'panel',
  Preview?: ComponentType<P>,
): ComponentType<P> {
  const Lazy = lazy(async () => ({ default: await load() }))
  const Loaded = Lazy as unknown as ComponentType<P>
  function LazyPane(props: P) {
    return (
      <PaneBoundary name={name}>
        <Suspense
          fallback={
            Preview ? (
              <Preview {...props} />
            ) : (
              <div
                className={`pane-loading pane-loading-${size}`}
                role="status"
                aria-label={`Loading the ${name}`}
              />
            )
          }
        >
          <Loaded {...props} />
        </Suspense>
      </PaneBoundary>
    )
  }
  LazyPane.displayName = `Lazy(${name})`
  return LazyPane
}
