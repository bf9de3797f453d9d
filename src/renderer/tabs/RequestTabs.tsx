import { useEffect, useRef, useState } from 'react'
import { bidiVisible, VisibleLine } from '../app/VisibleControls'
import { useAppStore } from '../store/store-context'
import { selectActiveTab } from './active-draft'
import { SnippetDialog } from './SnippetDialog'
import { tabMethodLabel } from './tab-label'
import { useWholeTabs } from './use-whole-tabs'
import { isTabDirty, tabDisplayName, type RequestTab } from './request-tab'

/** Open requests as tabs above the composer: unsaved ones marked, a banner when the file changed on disk. */
export function RequestTabs() {
  const tabs = useAppStore((s) => s.tabs)
  const activeId = useAppStore((s) => s.activeTabId)
  const newTab = useAppStore((s) => s.newTab)
  const tabError = useAppStore((s) => s.tabError)
  const strip = useRef<HTMLDivElement>(null)
  // What sets the tabs' widths: not every keystroke in a draft.
  const shape = tabs.map((t) => `${t.id} ${tabDisplayName(t)} ${isTabDirty(t) ? '*' : ''}`).join('\n')
  const { hidden: shown, page } = useWholeTabs(strip, [shape, activeId])

  return (
    <div className="request-tabs-wrap">
      {/* The tabs scroll; +, Code and Save stay in sight whatever the number of tabs. */}
      <div className="request-tabs-row">
        {shown ? <EdgeCue side="left" names={tabNames(tabs.slice(0, shown.left))} onPage={page} /> : null}
        <div className="request-tabs" role="tablist" aria-label="Open requests" ref={strip}>
          {tabs.map((t) => (
            <TabButton key={t.id} tab={t} active={t.id === activeId} />
          ))}
        </div>
        {shown ? (
          <EdgeCue side="right" names={tabNames(tabs.slice(tabs.length - shown.right))} onPage={page} />
        ) : null}
        <button
          type="button"
          className="icon-button new-tab"
          aria-label="New request tab"
          title="New request"
          onClick={newTab}
        >
          +
        </button>
        <span className="spacer" />
        <CodeButton />
        <SaveButton />
      </div>
      <ConflictBanner />
      {tabError ? (
        <div className="tab-error" role="alert">
          {tabError}
        </div>
      ) : null}
    </div>
  )
}

const tabNames = (tabs: readonly RequestTab[]): string[] => tabs.map(tabDisplayName)

/** Names listed in a cue's tooltip before "and N more". */
const CUE_NAMES = 12

/**
 * The strip's cue at an edge where tabs are out of sight: how many, their names in its tooltip; a click shows the
 * tabs just beyond that edge. With none hidden there it stays (disabled), so the strip does not shift as it pages.
 */
function EdgeCue({
  side,
  names,
  onPage,
}: {
  side: 'left' | 'right'
  names: string[]
  onPage(direction: -1 | 1): void
}) {
  const n = names.length
  const where = side === 'left' ? 'to the left' : 'to the right'
  const listed = names.slice(0, CUE_NAMES).map((name) => bidiVisible(name))
  const more = n > CUE_NAMES ? ` and ${n - CUE_NAMES} more` : ''
  return (
    <button
      type="button"
      className={`tab-cue tab-cue-${side}`}
      data-tab-cue={side}
      disabled={n === 0}
      aria-label={
        n === 0 ? `No tabs hidden ${where}` : `${n} tab${n === 1 ? '' : 's'} hidden ${where}: show them`
      }
      title={n === 0 ? undefined : `${n} more ${where}: ${listed.join(', ')}${more}`}
      onClick={() => onPage(side === 'left' ? -1 : 1)}
    >
      {side === 'left' ? `‹${n > 0 ? ` ${n}` : ''}` : `${n > 0 ? `${n} ` : ''}›`}
    </button>
  )
}

function TabButton({ tab, active }: { tab: RequestTab; active: boolean }) {
  const dirty = isTabDirty(tab)
  const method = tabMethodLabel(tab.draft.kind, tab.draft.method)
  const activate = useAppStore((s) => s.activateTab)
  const close = useAppStore((s) => s.closeTab)
  const name = tabDisplayName(tab)
  const label = name + (tab.path ? '' : ' (not saved)')
  const ref = useRef<HTMLDivElement>(null)
  // The active tab is in sight in a strip that scrolls (a new tab, or one opened from the sidebar, at its end),
  // again when it widens (its unsaved dot, a longer name).
  useEffect(() => {
    if (active) ref.current?.scrollIntoView({ block: 'nearest', inline: 'nearest' })
  }, [active, dirty, name])
  return (
    <div
      ref={ref}
      className={`request-tab${active ? ' active' : ''}${tab.conflict ? ' conflict' : ''}`}
      role="tab"
      aria-selected={active}
      aria-label={`${label}${dirty ? ', unsaved changes' : ''}`}
      data-dirty={dirty ? 'true' : 'false'}
      tabIndex={active ? 0 : -1}
      title={
        tab.path !== null
          ? bidiVisible(tab.path)
          : 'Not saved yet: Ctrl/Cmd+S saves it into the active collection'
      }
      onClick={() => activate(tab.id)}
      onAuxClick={(e) => {
        if (e.button === 1) close(tab.id)
      }}
    >
      <span className={`tab-method method-${method.toLowerCase()}`}>{method}</span>
      <span className="tab-name">
        <VisibleLine text={name} />
      </span>
      {dirty ? (
        <span className="dirty-dot" aria-hidden="true">
          ●
        </span>
      ) : null}
      <button
        type="button"
        className="icon-button tab-close"
        aria-label={`Close ${name}`}
        onClick={(e) => {
          e.stopPropagation()
          const list = e.currentTarget.closest('[role="tablist"]')
          close(tab.id)
          // The focused × leaves with its tab: the focus goes to the tab shown in its place, once drawn.
          requestAnimationFrame(() => {
            const now = document.activeElement
            if (now !== null && now !== document.body && now.isConnected) return
            list?.querySelector<HTMLElement>('[role="tab"][aria-selected="true"]')?.focus()
          })
        }}
      >
        ×
      </button>
    </div>
  )
}

function SaveButton() {
  const dirty = useAppStore((s) => {
    const tab = selectActiveTab(s)
    return tab ? isTabDirty(tab) || tab.path === null : false
  })
  const save = useAppStore((s) => s.saveActiveTab)
  return (
    <button
      type="button"
      className="secondary-button save-button"
      disabled={!dirty}
      onClick={() => void save()}
      title="Save (Ctrl/Cmd+S)"
    >
      Save
    </button>
  )
}

function ConflictBanner() {
  const tab = useAppStore(selectActiveTab)
  const dirty = tab ? isTabDirty(tab) : false
  const reload = useAppStore((s) => s.reloadActiveTab)
  const overwrite = useAppStore((s) => s.overwriteActiveTab)
  const close = useAppStore((s) => s.closeTab)
  if (!tab?.conflict) return null
  return (
    <div className="conflict-banner" role="alert">
      {tab.conflict === 'changed' ? (
        <>
          <span>
            <strong>{tab.path}</strong> changed on disk{dirty ? ' while you were editing it' : ''}.
          </span>
          <button type="button" className="secondary-button" onClick={() => void reload()}>
            Reload from disk
          </button>
          <button type="button" className="secondary-button" onClick={() => void overwrite()}>
            Overwrite with mine
          </button>
        </>
      ) : (
        <>
          <span>
            <strong>{tab.path}</strong> was deleted on disk.
          </span>
          <button type="button" className="secondary-button" onClick={() => void overwrite()}>
            Save it again
          </button>
          <button type="button" className="secondary-button" onClick={() => close(tab.id)}>
            Close tab
          </button>
        </>
      )}
    </div>
  )
}

function CodeButton() {
  const [open, setOpen] = useState(false)
  return (
    <>
      <button
        type="button"
        className="secondary-button save-button"
        title="This request as curl or code, as it stands (unsaved edits included)"
        onClick={() => setOpen(true)}
      >
        Code
      </button>
      {open ? <SnippetDialog onClose={() => setOpen(false)} /> : null}
    </>
  )
}
