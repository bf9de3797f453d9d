import { useState } from 'react'
import { externalUrlProblem } from '../../shared/trace-context'
import { useAppStore } from '../store/store-context'

const URL_IN_WORDS = /https?:\/\/\S+/

/**
 * Words that may carry one http(s) address a person is to visit (the OAuth 2.0 sign-in page the browser host
 * cannot open itself): the address becomes a link, opened the way the app opens external links — the desktop
 * app hands it to the system browser through `app.openExternal` (checked again in the engine); a browser host
 * opens it in a new tab, without opener or referrer. The app's own window never navigates.
 */
export function LinkedWords({ text }: { text: string }) {
  const desktop = useAppStore((s) => s.info?.capabilities.openExternal === true)
  const open = useAppStore((s) => s.openExternalLink)
  const [error, setError] = useState<string | null>(null)
  const found = URL_IN_WORDS.exec(text)
  if (found === null || externalUrlProblem(found[0]) !== null) return <>{text}</>
  const href = found[0]
  const before = text.slice(0, found.index)
  const after = text.slice(found.index + href.length)
  // The sign-in address carries a long query (client, redirect, state, challenge): the link reads as where it
  // goes, and holds the whole address (its title, Copy link address).
  const where = new URL(href)
  const shown = `${where.origin}${where.pathname}${where.search === '' ? '' : '?…'}`
  return (
    <>
      {before}
      {desktop ? (
        <button
          type="button"
          className="link-button"
          title={href}
          onClick={() => void open(href).then(setError)}
        >
          {shown}
        </button>
      ) : (
        <a className="link-button" href={href} title={href} target="_blank" rel="noopener noreferrer">
          {shown}
        </a>
      )}
      {after}
      {error !== null ? ` (${error})` : null}
    </>
  )
}
