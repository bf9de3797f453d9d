import { memo } from 'react'
import type { FolderNode, RequestNode } from '../../shared/collection'
import { bidiVisible, VisibleLine } from '../app/VisibleControls'
import { useAppStore } from '../store/store-context'
import { TreeDropTarget } from './TreeDropTarget'
import { TreeNameInput } from './TreeNameInput'
import { FolderActions, RequestActions } from './TreeRowActions'
import type { RowContext } from './tree-context'
import { startDrag } from './tree-drag'
import { countRequests } from './tree-filter'

/**
 * The rows of a collection's tree: folders (open or closed, drop targets) and requests (open on click). Rows are
 * memoised on their node and the tree's context: a change on disk replaces only the nodes it touched
 * (shared/collection-delta.ts), so the rows of every other folder are not rendered again.
 */

export const TreeChildren = memo(function TreeChildren({
  ctx,
  folder,
  depth,
}: {
  ctx: RowContext
  folder: FolderNode
  depth: number
}) {
  return (
    <>
      {folder.children.map((c) =>
        c.type === 'folder' ? (
          <FolderRow key={c.path} ctx={ctx} folder={c} depth={depth} />
        ) : (
          <RequestRow key={c.path} ctx={ctx} node={c} depth={depth} />
        ),
      )}
    </>
  )
})

const FolderRow = memo(function FolderRow({
  ctx,
  folder,
  depth,
}: {
  ctx: RowContext
  folder: FolderNode
  depth: number
}) {
  const open = !ctx.collapsed.has(folder.path)
  const renaming = ctx.editing?.mode === 'rename' && ctx.editing.path === folder.path
  return (
    <>
      <TreeDropTarget ctx={ctx} folder={folder.path} className="tree-row folder-row">
        <div
          role="treeitem"
          aria-level={depth + 1}
          aria-expanded={open}
          aria-label={folder.name}
          className="tree-item"
          // The name whole where the row's actions, laid over its end, cover it (as a request row's title does).
          title={bidiVisible(folder.name)}
          style={{ paddingLeft: 6 + depth * 14 }}
          draggable
          onDragStart={(e) => startDrag(e, ctx.dir, folder.path)}
          onClick={() => ctx.toggle(folder.path)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' || e.key === ' ') ctx.toggle(folder.path)
            if (e.key === 'F2') ctx.setEditing({ mode: 'rename', path: folder.path, name: folder.name })
          }}
          tabIndex={0}
        >
          <span className="twisty-glyph" aria-hidden="true">
            {open ? '▾' : '▸'}
          </span>
          {renaming ? (
            <TreeNameInput ctx={ctx} depth={-1} />
          ) : (
            <>
              <span className="folder-name">
                <VisibleLine text={folder.name} />
              </span>
              {!open ? <span className="muted small num"> {countRequests(folder)}</span> : null}
            </>
          )}
        </div>
        {!renaming ? <FolderActions ctx={ctx} folder={folder} label={folder.name} /> : null}
      </TreeDropTarget>
      {open ? (
        <>
          {ctx.editing && ctx.editing.mode !== 'rename' && ctx.editing.path === folder.path ? (
            <TreeNameInput ctx={ctx} depth={depth + 1} />
          ) : null}
          <TreeChildren ctx={ctx} folder={folder} depth={depth + 1} />
        </>
      ) : null}
    </>
  )
})

const RequestRow = memo(function RequestRow({
  ctx,
  node,
  depth,
}: {
  ctx: RowContext
  node: RequestNode
  depth: number
}) {
  const openRequest = useAppStore((s) => s.openRequest)
  const active = useAppStore((s) => {
    const tab = s.tabs.find((t) => t.id === s.activeTabId)
    return tab?.dir === ctx.dir && tab.path === node.path
  })
  const renaming = ctx.editing?.mode === 'rename' && ctx.editing.path === node.path
  const kind = node.kind === 'http' ? node.method : node.kind.toUpperCase()
  return (
    <div className={`tree-row request-row${active ? ' selected' : ''}`}>
      <div
        role="treeitem"
        aria-level={depth + 1}
        aria-selected={active}
        aria-label={node.name}
        className="tree-item"
        style={{ paddingLeft: 20 + depth * 14 }}
        title={bidiVisible(`${node.path}\n${node.url}`)}
        draggable
        tabIndex={0}
        onDragStart={(e) => startDrag(e, ctx.dir, node.path)}
        onClick={() => void openRequest(ctx.dir, node.path)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') void openRequest(ctx.dir, node.path)
          if (e.key === 'F2') ctx.setEditing({ mode: 'rename', path: node.path, name: node.name })
        }}
      >
        <span className={`tree-method method-${node.method.toLowerCase()}`}>{kind}</span>
        {renaming ? (
          <TreeNameInput ctx={ctx} depth={-1} />
        ) : (
          <span className="request-name">
            <VisibleLine text={node.name} />
          </span>
        )}
      </div>
      {!renaming ? <RequestActions ctx={ctx} path={node.path} name={node.name} /> : null}
    </div>
  )
})
