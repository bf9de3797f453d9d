/**
 * A method's request and response types as the composer's bar shows them: each by its last name segment
 * (`SayRequest`, not `flightdeck.test.SayRequest`), so the part that tells types apart is the part in sight in a
 * narrow window. Two different types whose last segments are equal (`a.v1.Msg`, `b.v1.Msg`) keep as many segments
 * from the end as it takes to tell them apart (`a.v1.Msg`, `b.v1.Msg`).
 */
export function shortTypeNames(request: string, response: string): [string, string] {
  const a = request.split('.')
  const b = response.split('.')
  if (request === response) return [a.at(-1) ?? request, b.at(-1) ?? response]
  for (let n = 1; n <= Math.max(a.length, b.length); n++) {
    const x = a.slice(-n).join('.')
    const y = b.slice(-n).join('.')
    if (x !== y) return [x, y]
  }
  return [request, response]
}
