/**
 * What curl's `-F` says of each part beyond its name and value: `;filename=` and `;type=`. curlconverter's JSON
 * (`toJsonObject`) keeps a part's name and its value or file only, so the command is read once more with its
 * parser, whose form parts carry both. Loaded only for a command with form parts.
 */

export interface CurlFormDetail {
  name: string
  /** The file a part reads (`name=@file`); absent for a text part. */
  file?: string
  /** The filename the part is sent with (curl defaults it to the file's own name). */
  filename?: string
  contentType?: string
}

export async function curlFormDetails(command: string): Promise<CurlFormDetail[]> {
  const { parse } = await import('curlconverter/dist/src/parse.js')
  let uploads: ReturnType<typeof parse>[number]['multipartUploads']
  try {
    uploads = parse(command)[0]?.multipartUploads
  } catch {
    // toJsonObject read the command already; a second reading that fails leaves the parts as they were.
    return []
  }
  return (uploads ?? []).map((p) => ({
    name: p.name.toString(),
    ...('contentFile' in p ? { file: p.contentFile.toString() } : {}),
    ...(p.filename ? { filename: p.filename.toString() } : {}),
    ...(p.contentType ? { contentType: p.contentType.toString() } : {}),
  }))
}
