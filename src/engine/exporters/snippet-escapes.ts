/**
 * Where httpsnippet's code does not send what the request holds, and how Flightdeck works around it. All three
 * bite GraphQL first (its documents span lines, name variables with `$` and escape quotes in strings), but any
 * JSON body can hit them:
 *
 * - curl: a JSON body with a `'` is written as an unquoted heredoc (`--data @- <<EOF`), in which the shell
 *   expands `$id`, backticks and `\\`. The delimiter is quoted (`<<'EOF'`), so the body goes as written.
 * - Python requests: a JSON body becomes a dict literal whose strings escape only `"`, so a newline or a
 *   backslash inside a string breaks the program (or changes the value). Such a body is given to the
 *   generator as text (its type kept in the headers), which it writes as a JSON string literal: valid Python,
 *   the same bytes sent.
 * - JavaScript fetch and Node axios: the body's object literal (stringify-object) leaves backslashes
 *   unescaped, so `\\"` in a string ends it. A body with a backslash is written as its JSON instead, which is a
 *   valid object literal.
 */

interface HarLike {
  headers?: { name: string; value: string }[]
  postData?: { mimeType?: string; text?: string }
}

/** The JSON body's text when it has a backslash (an escape in some string), else null. */
function escapedJson(har: unknown): string | null {
  if (typeof har !== 'object' || har === null) return null
  const pd = (har as HarLike).postData
  if (!pd || pd.mimeType !== 'application/json' || !(pd.text ?? '').includes('\\')) return null
  try {
    JSON.parse(pd.text ?? '')
    return pd.text ?? null
  } catch {
    return null
  }
}

export function snippetInput(har: unknown, target: string): unknown {
  if (target !== 'python' || escapedJson(har) === null) return har
  const h = har as HarLike
  const headers = h.headers ?? []
  const typed = headers.some((x) => x.name.toLowerCase() === 'content-type')
  return {
    ...h,
    headers: typed ? headers : [...headers, { name: 'Content-Type', value: 'application/json' }],
    postData: { ...h.postData, mimeType: 'text/plain' },
  }
}

/** Where the JavaScript targets write the body's object literal (the last key of their options). */
const JS_BODY: Record<string, { key: string; close: string }> = {
  'javascript:fetch': { key: '\n  body: JSON.stringify(', close: ')' },
  'node:axios': { key: '\n  data: ', close: '' },
}

export function snippetOutput(code: string, har: unknown, target: string, client: string): string {
  if (target === 'shell' && client === 'curl') return code.replace(/ @- <<EOF\n/g, " @- <<'EOF'\n")
  const js = JS_BODY[`${target}:${client}`]
  const text = js ? escapedJson(har) : null
  if (!js || text === null) return code
  const start = code.indexOf(js.key)
  const end = start < 0 ? -1 : code.indexOf('\n};\n', start)
  if (end < 0) return code
  const json = JSON.stringify(JSON.parse(text) as unknown, null, 2).replace(/\n/g, '\n  ')
  return `${code.slice(0, start)}${js.key}${json}${js.close}${code.slice(end)}`
}
