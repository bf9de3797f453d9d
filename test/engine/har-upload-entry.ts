/**
 * A HAR of one recorded multipart upload answered 200 with an empty body: the shape the HAR import tests and
 * attack tests build, written once.
 */
export interface RecordedPostData {
  mimeType: string
  params: { name: string; value: string; fileName?: string; contentType?: string }[]
  text?: string
}

export function harOfUpload(url: string, postData: RecordedPostData): string {
  return harOfUploads(url, [postData])
}

/** A HAR of one recorded multipart upload to `url` for each body, in order. */
export function harOfUploads(url: string, bodies: readonly RecordedPostData[]): string {
  return JSON.stringify({
    log: {
      version: '1.2',
      creator: { name: 'WebInspector', version: '537.36' },
      entries: bodies.map((postData) => uploadEntry(url, postData)),
    },
  })
}

function uploadEntry(url: string, postData: RecordedPostData): object {
  return {
    startedDateTime: '2026-12-06T10:00:00.000Z',
    time: 1,
    request: {
      method: 'POST',
      url,
      httpVersion: 'HTTP/1.1',
      headers: [{ name: 'Content-Type', value: postData.mimeType }],
      queryString: [],
      cookies: [],
      headersSize: -1,
      bodySize: -1,
      postData,
    },
    response: {
      status: 200,
      statusText: 'OK',
      httpVersion: 'HTTP/1.1',
      headers: [],
      cookies: [],
      content: { size: 0, mimeType: 'text/plain' },
      redirectURL: '',
      headersSize: -1,
      bodySize: 0,
    },
    cache: {},
    timings: { send: 0, wait: 1, receive: 0 },
  }
}
