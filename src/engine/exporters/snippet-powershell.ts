import type { HarRequest } from '@readme/httpsnippet'
import { freePrefix, type MaskedParts } from './snippet-parts'

/**
 * PowerShell snippets (Invoke-RestMethod) with every string written as a literal. httpsnippet writes a
 * header's value in double quotes escaping only `"` and the backtick, so `$(…)` in it runs when the snippet
 * does (PowerShell expands subexpressions in double quotes); its name, the body (`-Body '…'`) and the URL go
 * in as they are, so a `'` ends the string and what follows runs. A request from a shared collection with a
 * header `X-Note: $(Remove-Item …)` or a body `';Remove-Item …;'` ran that on the machine of whoever ran
 * the snippet.
 *
 * Each header name and value and the body go to httpsnippet as placeholders and come back as PowerShell
 * single-quoted strings, in which nothing is expanded and a quote is doubled (PowerShell takes ‘ ’ ‚ ‛ as
 * single quotes too). A `'` in the URL is sent as %27, which PowerShell's string cannot be ended by.
 */

/** A PowerShell string that is `text` exactly: single-quoted, each of PowerShell's single quotes doubled. */
export function powershellString(text: string): string {
  return `'${text.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => `${q}${q}`)}'`
}

const UNSAFE = 'its headers or body could not be written safely into the code'

/** `har` with its header names and values and its body as placeholders; null for other targets. */
export function maskPowershell(har: HarRequest, target: string): MaskedParts | null {
  if (target !== 'powershell') return null
  const prefix = freePrefix(har)
  // What the generator wrote (a placeholder in its quotes), the literal, and whether it may be missing.
  const swaps: [written: string, literal: string, optional: boolean][] = []
  const headers = (har.headers as { name: string; value: string }[]).map((h, i) => {
    // The content type is looked up by its name (for -ContentType): that name stays, it is a plain token.
    const plain = h.name.toLowerCase() === 'content-type'
    const name = plain ? h.name : `${prefix}${i}h`
    const value = `${prefix}${i}v`
    // The generator leaves a Connection header out.
    const dropped = h.name.toLowerCase() === 'connection'
    if (!plain) swaps.push([`"${name}"`, powershellString(h.name), dropped])
    swaps.push([`"${value}"`, powershellString(h.value), dropped])
    // -ContentType '…' holds the content type's value, when there is a body.
    if (plain) swaps.push([`'${value}'`, powershellString(h.value), true])
    return { name, value }
  })
  const text = har.postData?.text
  const body = `${prefix}b`
  if (text) swaps.push([`'${body}'`, powershellString(text), false])
  return {
    har: {
      ...har,
      url: har.url.replace(/'/g, '%27'),
      headers,
      ...(text && har.postData ? { postData: { ...har.postData, text: body } } : {}),
    },
    fill: (code) => {
      let out = code
      for (const [written, literal, optional] of swaps) {
        if (!out.includes(written)) {
          if (optional) continue
          return new Error(UNSAFE)
        }
        out = out.split(written).join(literal)
      }
      return out.includes(prefix) ? new Error(UNSAFE) : out
    },
  }
}
