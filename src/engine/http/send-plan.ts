import { readCaPemText } from '../files/pem-file'
import { resolveOptions, type RequestBody, type RequestOptions, type RequestSpec } from '../../shared/request'
import type { AppError } from '../../shared/result'
import type { HeaderList } from '../../shared/timeline'
import { VERSION } from '../version'
import { prepareBodySync } from './request-body'
import {
  checkBodyContentType,
  checkFraming,
  checkHeaderList,
  checkMethod,
  parseTargetUrl,
} from './request-checks'
import { UNTYPED_MULTIPART, untypedMultipart } from './untyped-multipart'

/** What one `send` resolved once for all its copies. */
export interface SendPlan {
  method: string
  rawUrl: string
  url: URL | null
  /** `url.href` and `url.origin`, worked out once: URL's getters make a new string at every call. */
  href: string
  origin: string
  /** The request target (`url.pathname` + `url.search`), worked out once. */
  path: string
  headers: HeaderList
  body: RequestBody
  options: RequestOptions
  /** Headers besides the standard ones that stay with this origin on a redirect (RequestSpec's). */
  credentialHeaders: readonly string[]
  invalid: AppError | undefined
  ca: string | AppError | undefined
  /** Its own headers carry a traceparent (the engine reads the trace id it went out with from its request-sent). */
  traced: boolean
}

/** Check a request and work out what every copy of it sends: its URL, headers with the defaults, options, CA. */
export function planSend(spec: RequestSpec): SendPlan {
  const options = resolveOptions(spec.options)
  const method = spec.method.toUpperCase()
  const parsed = parseTargetUrl(spec.url, ['http', 'https'])
  const headers = checkHeaderList(spec.headers)
  const bodyType = headers.ok ? checkBodyContentType(spec.body, headers.value) : undefined
  const framing = headers.ok
    ? checkFraming(headers.value, prepareBodySync(spec.body)?.length ?? null)
    : undefined
  const methodCheck = checkMethod(method)
  const typed = headers.ok && headers.value.some(([name]) => name.toLowerCase() === 'content-type')
  const unsplittable = untypedMultipart(spec.body, typed, options.omitDefaultHeaders)
  const invalid = !parsed.ok
    ? parsed.error
    : !methodCheck.ok
      ? methodCheck.error
      : !headers.ok
        ? headers.error
        : bodyType && !bodyType.ok
          ? bodyType.error
          : framing && !framing.ok
            ? framing.error
            : unsplittable
              ? { code: 'invalid_request' as const, message: `${UNTYPED_MULTIPART}. Nothing was sent` }
              : undefined
  if (invalid || !parsed.ok || !headers.ok) {
    return {
      method,
      rawUrl: spec.url,
      url: null,
      href: '',
      origin: '',
      path: '',
      headers: [],
      body: spec.body,
      options,
      credentialHeaders: spec.credentialHeaders ?? [],
      invalid,
      ca: undefined,
      traced: false,
    }
  }
  let ca: string | AppError | undefined
  if (options.caFile) {
    try {
      ca = readCaPemText(options.caFile)
    } catch (e) {
      ca = {
        code: 'file',
        message: `Cannot read the CA file ${options.caFile}`,
        detail: e instanceof Error ? e.message : String(e),
      }
    }
  }
  return {
    method,
    rawUrl: spec.url,
    url: parsed.value,
    href: parsed.value.href,
    origin: parsed.value.origin,
    path: `${parsed.value.pathname}${parsed.value.search}`,
    headers: withDefaultHeaders(headers.value, options),
    body: spec.body,
    options,
    credentialHeaders: spec.credentialHeaders ?? [],
    invalid,
    ca,
    traced: headers.value.some(([name]) => name.toLowerCase() === 'traceparent'),
  }
}

/** The headers every request sends unless it set them or its options leave them out. */
export function withDefaultHeaders(headers: HeaderList, options: RequestOptions): HeaderList {
  const out: HeaderList = [...headers]
  const omit = options.omitDefaultHeaders ?? []
  const has = (name: 'user-agent' | 'accept' | 'accept-encoding'): boolean =>
    omit.includes(name) || out.some(([k]) => k.toLowerCase() === name)
  if (!has('user-agent')) out.push(['user-agent', `Flightdeck/${VERSION}`])
  if (!has('accept')) out.push(['accept', '*/*'])
  if (options.decompress && !has('accept-encoding')) out.push(['accept-encoding', 'gzip, deflate, br'])
  return out
}
