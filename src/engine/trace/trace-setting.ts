import { ancestorFolders, findNode, parentPath, type FolderNode } from '../../shared/collection'
import { effectiveTrace, type TraceSetting } from '../../shared/trace-context'
import type { TracePlan } from './trace-headers'
import type { TraceIndex } from './trace-index'

/**
 * Whether a send carries trace context, and how: the nearest `trace:` setting that is not `inherit` (the
 * request file's, its folders', the collection's), else the toolbar's switch for ad-hoc sends. A send is not
 * a run, so `per-run` sends a fresh trace here as `per-send` does; a run shares one (see the runner).
 */

/** The request's, its folders' and the collection's settings, outermost first. */
export function traceChain(root: FolderNode, path: string): (TraceSetting | undefined)[] {
  const node = findNode(root, path)
  const folder = node?.type === 'folder' ? node.path : parentPath(path)
  const folders = ancestorFolders(root, `${folder}/`)
  return [...folders.map((f) => f.trace), node?.type === 'request' ? node.trace : undefined]
}

/**
 * The setting that applies to the request file at `path` (null: none says anything, or `path` is no request
 * file: an Untitled tab is an ad-hoc send even with a collection chosen for its variables).
 */
export function traceSettingAt(root: FolderNode | undefined, path: string | undefined): TraceSetting | null {
  if (!root || path === undefined || findNode(root, path)?.type !== 'request') return null
  return effectiveTrace(traceChain(root, path))
}

/**
 * What a send carries: the setting where one applies (`off` sends none, whatever the switch says), else
 * the ad-hoc switch. A body field it names is watched for webhook calls.
 */
export function tracePlanFor(
  setting: TraceSetting | null,
  adHoc: boolean | undefined,
  traces?: TraceIndex,
): TracePlan | undefined {
  if (setting === null) return adHoc === true ? {} : undefined
  if (setting.mode === 'off' || setting.mode === 'inherit') return undefined
  if (setting.bodyField !== undefined) traces?.watchField(setting.bodyField)
  return setting.tracestate !== undefined ? { tracestate: setting.tracestate } : {}
}
