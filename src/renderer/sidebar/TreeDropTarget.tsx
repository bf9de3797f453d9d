import { useState, type ReactNode } from 'react'
import { useAppStore } from '../store/store-context'
import type { RowContext } from './tree-context'
import { DRAG_TYPE, droppedNode } from './tree-drag'

/** A folder row or the collection head: dropping a request or folder here moves it in. */
export function TreeDropTarget({
  ctx,
  folder,
  className,
  children,
}: {
  ctx: RowContext
  folder: string
  className: string
  children: ReactNode
}) {
  const move = useAppStore((s) => s.moveNode)
  const [over, setOver] = useState(false)
  return (
    <div
      className={`${className}${over ? ' drop-over' : ''}`}
      data-drop-folder={folder}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes(DRAG_TYPE)) return
        e.preventDefault()
        e.dataTransfer.dropEffect = 'move'
        if (!over) setOver(true)
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        setOver(false)
        const raw = e.dataTransfer.getData(DRAG_TYPE)
        if (!raw) return
        e.preventDefault()
        const path = droppedNode(raw, ctx.dir, folder)
        if (path !== null) void move(ctx.dir, path, folder)
      }}
    >
      {children}
    </div>
  )
}
