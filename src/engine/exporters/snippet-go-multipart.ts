import { basename } from 'node:path'
import type { SnippetParam } from './snippet-multipart'

/**
 * Go's multipart body with its files read. httpsnippet's Go writes a form-data body as one string of its own
 * multipart text, a file part's bytes left empty (it cannot read the file), so the Go program uploaded empty
 * files. Here that string is replaced by a body built with Go's mime/multipart when the program runs: each text
 * part as it is (with its own type when it has one), each file part read from its path (relative to the
 * collection folder, where the program is meant to run, as curl's `-F name=@path`), with the name, file name
 * and type Flightdeck sends it with. The boundary stays the one httpsnippet's Content-Type header names.
 */

const PAYLOAD = /^\tpayload := strings\.NewReader\("[^\n]*"\)$/m
const BOUNDARY = /"multipart\/form-data; boundary=([0-9A-Za-z'()+_,\-./:=?]{1,70})"/

/** A Go interpreted string literal of `text` (JSON's escapes are Go's; a lone surrogate becomes U+FFFD). */
function goString(text: string): string {
  return JSON.stringify(text).replace(/\\u(d[89a-f][0-9a-f]{2})/gi, '\\ufffd')
}

/** A form-data header's quoted value, escaped as Go's mime/multipart escapes it. */
function quoted(text: string): string {
  return text.replace(/[\\"]/g, (c) => `\\${c}`)
}

/** `code` (httpsnippet's Go) with its multipart payload built from `params`; an Error when its shape is not known. */
export function goMultipart(code: string, params: readonly SnippetParam[]): string | Error {
  const boundary = BOUNDARY.exec(code)?.[1]
  if (!PAYLOAD.test(code) || boundary === undefined)
    return new Error('its multipart body could not be written into the Go code')
  const lines = [
    '\tpayload := &bytes.Buffer{}',
    '\tform := multipart.NewWriter(payload)',
    `\tform.SetBoundary(${goString(boundary)})`,
  ]
  for (const p of params) {
    const file = p.fileName !== undefined && p.fileName !== ''
    const disposition = `form-data; name="${quoted(p.name)}"${file ? `; filename="${quoted(p.partFileName ?? basename(p.fileName ?? ''))}"` : ''}`
    const header = [
      `"Content-Disposition": {${goString(disposition)}}`,
      ...(p.contentType ? [`"Content-Type": {${goString(p.contentType)}}`] : []),
    ]
    lines.push('\t{', `\t\tpart, err := form.CreatePart(textproto.MIMEHeader{${header.join(', ')}})`)
    lines.push('\t\tif err != nil {', '\t\t\tpanic(err)', '\t\t}')
    if (file) {
      lines.push(`\t\tdata, err := os.ReadFile(${goString(p.fileName ?? '')})`)
      lines.push('\t\tif err != nil {', '\t\t\tpanic(err)', '\t\t}', '\t\tpart.Write(data)')
    } else lines.push(`\t\tpart.Write([]byte(${goString(p.value ?? '')}))`)
    lines.push('\t}')
  }
  lines.push('\tform.Close()')
  const body = code.replace(PAYLOAD, () => lines.join('\n'))
  return withImports(body, ['bytes', 'mime/multipart', 'net/textproto', 'os'])
}

/** `code` importing `wanted` too, and no longer importing `strings` when nothing uses it (Go refuses that). */
function withImports(code: string, wanted: readonly string[]): string | Error {
  const block = /^import \(\n((?:\t"[^"\n]+"\n)*)\)$/m.exec(code)
  if (!block) return new Error('its multipart body could not be written into the Go code')
  const had = [...(block[1] ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1] as string)
  const all = [...new Set([...had, ...wanted])].filter((i) => i !== 'strings' || /\bstrings\./.test(code))
  return code.replace(block[0], () => `import (\n${all.map((i) => `\t"${i}"\n`).join('')})`)
}
