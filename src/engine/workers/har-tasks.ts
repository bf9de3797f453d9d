import { openBodySource } from '../body-view/body-source'
import { redactHar } from '../har/redact'
import type { TaskInput, TaskOutput } from './protocol'
import { checkMemory } from './worker-memory'

/** Worker side of HAR export: response bodies read into the document, secrets redacted, the text written. */
export async function buildHar(p: TaskInput<'har.build'>): Promise<TaskOutput<'har.build'>> {
  const { doc, bodies } = p
  for (let i = 0; i < doc.log.entries.length; i++) {
    const source = bodies[i]
    const entry = doc.log.entries[i]
    if (!source || !entry) continue
    const body = openBodySource(source)
    try {
      const bytes = await body.read(0, source.size)
      const text = bytes.toString('utf8')
      const content = entry.response.content
      if (Buffer.byteLength(text) === bytes.length && !text.includes('\uFFFD')) content.text = text
      else {
        content.text = bytes.toString('base64')
        content.encoding = 'base64'
      }
    } finally {
      await body.close()
    }
    checkMemory()
  }
  if (p.redact) redactHar(doc, p.secretValues)
  return JSON.stringify(doc, null, 2)
}
