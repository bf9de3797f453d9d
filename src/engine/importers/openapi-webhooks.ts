import { isObj } from './plan'

/**
 * An OpenAPI 3.1 document's `webhooks`: the calls the API makes to its users (Flightdeck receives those in a
 * webhook inbox; it does not send them). None becomes a request; the report names each with its methods, so a
 * reader knows which calls to expect and where to point them.
 */

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']
const SHOWN = 20

export function reportWebhooks(webhooks: Record<string, unknown>, u: string[]): void {
  const named = Object.entries(webhooks).map(([name, item]) => {
    const methods = isObj(item) ? METHODS.filter((m) => isObj(item[m])).map((m) => m.toUpperCase()) : []
    return `${name.slice(0, 80)}${methods.length > 0 ? ` (${methods.join(', ')})` : ''}`
  })
  if (named.length === 0) return
  const more = named.length > SHOWN ? ` and ${named.length - SHOWN} more` : ''
  u.push(
    `${named.length === 1 ? 'webhook' : 'webhooks'} ${named.slice(0, SHOWN).join(', ')}${more} not imported: ${named.length === 1 ? 'it is a call the API makes to you, not a request' : 'they are calls the API makes to you, not requests'} to send (receive them in a webhook inbox)`,
  )
}
