import { spawn, type ChildProcess } from 'node:child_process'

/**
 * Opens the browser at a URL. Whatever is on an opener's command line is visible to every local user (`ps`),
 * so callers hand it a launch link that works once, never the token.
 *
 * FLIGHTDECK_BROWSER names another program to run instead of the platform's opener (a particular browser, or a
 * stand-in in tests); it gets the URL as its only argument and is run without a shell.
 */

export interface OpenerCommand {
  cmd: string
  args: string[]
}

export function openerCommand(
  url: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): OpenerCommand {
  const chosen = env['FLIGHTDECK_BROWSER']
  if (chosen) return { cmd: chosen, args: [url] }
  if (platform === 'darwin') return { cmd: 'open', args: [url] }
  if (platform === 'win32') return { cmd: 'cmd', args: ['/c', 'start', '""', url] }
  return { cmd: 'xdg-open', args: [url] }
}

export function openBrowser(url: string, env: NodeJS.ProcessEnv = process.env): ChildProcess | null {
  const { cmd, args } = openerCommand(url, env)
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true, env })
    // No browser available (a server, a container) is normal: the printed URL is enough.
    child.on('error', () => undefined)
    child.unref()
    return child
  } catch {
    // Same: opening a browser is a convenience.
    return null
  }
}
