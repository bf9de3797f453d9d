import { shell } from 'electron'
import { externalUrlProblem } from '../shared/trace-context'

/**
 * The one place the app hands anything to the OS: an http(s) link a person clicked (a trace in their tracing
 * backend). The engine checks the link before it calls this; it is checked again here so that no other path to
 * this function can open a file:, javascript: or custom-scheme URL.
 */
export async function openInSystemBrowser(url: string): Promise<void> {
  const problem = externalUrlProblem(url)
  if (problem !== null) throw new Error(`Not opened: ${problem}`)
  await shell.openExternal(new URL(url).href)
}
