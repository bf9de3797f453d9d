import type { RequestScripts } from '../../shared/collection'

/**
 * A request's scripts as the Scripts tab edits them. `translated` is the imported request's flag: true means the
 * importer turned the scripts into declarative checks and those are what runs; it is kept as the file had it
 * (absent, true or false) so opening and saving a request changes nothing.
 */
export interface ScriptsDraft {
  preRequest: string
  test: string
  translated?: boolean
}

export const EMPTY_SCRIPTS: ScriptsDraft = { preRequest: '', test: '' }

export function scriptsFromSaved(s: RequestScripts | undefined): ScriptsDraft {
  if (!s) return EMPTY_SCRIPTS
  return {
    preRequest: s.preRequest ?? '',
    test: s.test ?? '',
    ...(s.translated !== undefined ? { translated: s.translated } : {}),
  }
}

/** The file's `scripts:` for a draft: empty scripts are left out, and so is the whole key when nothing is left. */
export function scriptsToSaved(d: ScriptsDraft): { scripts?: RequestScripts } {
  const scripts: RequestScripts = {
    ...(d.preRequest !== '' ? { preRequest: d.preRequest } : {}),
    ...(d.test !== '' ? { test: d.test } : {}),
  }
  if (scripts.preRequest === undefined && scripts.test === undefined) return {}
  return { scripts: d.translated !== undefined ? { ...scripts, translated: d.translated } : scripts }
}

/** What a send carries: the scripts to run, or nothing when there are none (or the checks stand for them). */
export function scriptsToSend(d: ScriptsDraft): { scripts?: RequestScripts } {
  if (d.translated === true) return {}
  return scriptsToSaved(d)
}

/** Whether the script text has anything but blanks. */
export function hasScript(text: string): boolean {
  return text.trim() !== ''
}

/** The Scripts tab's badge: which scripts the request has (`pre`, `post`, `pre + post`), or ''. */
export function scriptsBadge(d: ScriptsDraft): string {
  const which = [hasScript(d.preRequest) ? 'pre' : '', hasScript(d.test) ? 'post' : ''].filter(Boolean)
  if (which.length === 0) return ''
  return d.translated === true ? 'translated' : which.join(' + ')
}
