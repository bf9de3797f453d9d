/**
 * The messages a saved request sends, as the app's composer reads its message text (which it saves as the
 * request's one message): one JSON object (`{}` when empty) for a unary or server-streaming call; for a client or
 * bidi stream, each saved text a JSON array of messages, one object, or one object a line. `flightdeck grpc
 * --collection` and a run's gRPC step read them so.
 */
export function savedGrpcMessages(texts: string[], many: boolean): string[] {
  // Several for a call that takes one are kept, so the call refuses them in words.
  if (!many) return texts.length > 1 ? texts : [texts[0]?.trim() || '{}']
  return texts.flatMap((text) => {
    const trimmed = text.trim()
    if (trimmed === '') return []
    try {
      const parsed = JSON.parse(trimmed) as unknown
      return Array.isArray(parsed) ? parsed.map((m) => JSON.stringify(m)) : [trimmed]
    } catch {
      // Not one JSON value: one object a line (a bad one is refused by the call, naming it).
      return trimmed.split('\n').filter((l) => l.trim() !== '')
    }
  })
}
