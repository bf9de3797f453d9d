/** A short note when the JSON body does not parse, or null. Empty text is fine (nothing typed yet). */
export function jsonProblem(text: string): string | null {
  if (text.trim() === '') return null
  try {
    JSON.parse(text)
    return null
  } catch (e) {
    const msg = e instanceof Error ? e.message : 'not valid JSON'
    return `Not valid JSON: ${msg.replace(/^JSON\.parse: /, '')}`
  }
}
