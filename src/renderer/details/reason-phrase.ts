/**
 * HTTP/2 carries no reason phrase, so the status line would read "200" alone; people expect "200 OK".
 * These are the standard phrases (RFC 9110) for the codes people meet; others show the code alone.
 */
const PHRASES: Readonly<Record<number, string>> = {
  100: 'Continue',
  101: 'Switching Protocols',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  206: 'Partial Content',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
}

/** "200 OK": the server's own phrase when it sent one, else the standard one, else the code alone. */
export function statusLine(status: number, statusText: string): string {
  const phrase = statusText.trim() || PHRASES[status] || ''
  return phrase === '' ? String(status) : `${status} ${phrase}`
}
