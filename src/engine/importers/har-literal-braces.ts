import { escapeTemplate, templateRefs } from '../../shared/template'

/**
 * A HAR is a recording: a `{{apiKey}}` in it is text the browser sent, not a variable. Imported as it stands it
 * would become one, and a send would fill it from the reader's environment and ship the reader's secret to the
 * HAR's host. Every literal `{{` an import brings in is escaped (`\{{`, src/shared/template.ts), so it is sent
 * exactly as recorded, and the report says, per request, which fields held one.
 */

/** Names and fields listed per request; the rest are counted. */
const MAX_LISTED = 3
const MAX_FIELDS = 6

interface Kept {
  names: Set<string>
  fields: string[]
  more: Set<string>
}

export class LiteralBraces {
  private readonly byEntry = new Map<number, Kept>()

  /** `text` escaped so it resolves to itself; noted under `field` of entry `entry` when it held a `{{`. */
  keep(text: string, entry: number, field: string): string {
    if (!text.includes('{{')) return text
    let kept = this.byEntry.get(entry)
    if (!kept) {
      kept = { names: new Set(), fields: [], more: new Set() }
      this.byEntry.set(entry, kept)
    }
    if (kept.fields.length < MAX_FIELDS) {
      if (!kept.fields.includes(field)) kept.fields.push(field)
    } else if (!kept.fields.includes(field)) kept.more.add(field)
    if (kept.names.size <= MAX_LISTED)
      for (const ref of templateRefs(text)) {
        kept.names.add(ref.name)
        if (kept.names.size > MAX_LISTED) break
      }
    return escapeTemplate(text)
  }

  /** The report line for entry `entry` (`where` names it), or null when it held no braces. */
  line(entry: number, where: string): string | null {
    const kept = this.byEntry.get(entry)
    if (!kept) return null
    const names = [...kept.names]
    const shown = names
      .slice(0, MAX_LISTED)
      .map((n) => `{{${n}}}`)
      .join(', ')
    const what = names.length === 0 ? '"{{"' : names.length > MAX_LISTED ? `${shown}, …` : shown
    const fields = kept.fields.join(', ') + (kept.more.size > 0 ? ` and ${kept.more.size} more` : '')
    const plural = names.length > 1
    return `${where}: ${what} kept as text, not ${plural ? 'variables' : 'a variable'} (in ${fields}): a recording's braces are sent as recorded, never filled from your environment`
  }
}
