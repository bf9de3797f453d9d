import { openExternal } from '../hosts/open-external'

/**
 * The desktop app's sign-in page for the authorization code grant: opened in the system browser through the same
 * check as any external link (http(s) only, no credentials in it), never in an app window.
 */
export async function openSignInPage(open: (url: string) => Promise<void>, url: string): Promise<void> {
  const opened = await openExternal(open, url)
  if (!opened.ok) throw new Error(opened.error.message)
}
