import { useEffect, useRef, useState } from 'react'
import { NumberField } from '../app/NumberField'
import { useAppStore } from '../store/store-context'
import { groupDigits } from '../../shared/group-digits'

/**
 * The webhook inbox in the toolbar: a button showing whether it listens, and a small panel to start or stop it
 * (host, port) and copy its URL. Requests use it as {{$webhook}}.
 */
export function WebhookControl() {
  const [open, setOpen] = useState(false)
  const hook = useAppStore((s) => s.webhook)
  const refresh = useAppStore((s) => s.refreshWebhook)
  const start = useAppStore((s) => s.startWebhook)
  const stop = useAppStore((s) => s.stopWebhook)
  const setPort = useAppStore((s) => s.setWebhookPort)
  const setHost = useAppStore((s) => s.setWebhookHost)
  const [copied, setCopied] = useState(false)
  const panel = useRef<HTMLDivElement>(null)

  useEffect(() => {
    void refresh()
  }, [refresh])
  useEffect(() => {
    if (!open) return
    void refresh()
    const onDown = (e: MouseEvent): void => {
      if (panel.current && !panel.current.parentElement?.contains(e.target as Node)) setOpen(false)
    }
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') setOpen(false)
    }
    document.addEventListener('mousedown', onDown)
    document.addEventListener('keydown', onKey)
    return () => {
      document.removeEventListener('mousedown', onDown)
      document.removeEventListener('keydown', onKey)
    }
  }, [open, refresh])

  const copy = async (): Promise<void> => {
    if (!hook.url) return
    try {
      await navigator.clipboard.writeText(hook.url)
      setCopied(true)
      setTimeout(() => setCopied(false), 1500)
    } catch {
      setCopied(false)
    }
  }

  return (
    <div className="webhook-control">
      <button
        type="button"
        className={hook.running ? 'secondary-button webhook-button on' : 'secondary-button webhook-button'}
        aria-expanded={open}
        aria-haspopup="dialog"
        title={hook.running ? `Webhook inbox listening on ${hook.url ?? ''}` : 'Webhook inbox: off'}
        onClick={() => setOpen((o) => !o)}
      >
        <span className={hook.running ? 'hook-dot on' : 'hook-dot'} aria-hidden="true" />
        Webhooks
      </button>
      {open ? (
        <div className="webhook-panel" role="dialog" aria-label="Webhook inbox" ref={panel}>
          <div className="webhook-row">
            <label>
              Host
              <select
                aria-label="Inbox host"
                value={hook.host}
                disabled={hook.running}
                onChange={(e) => setHost(e.target.value as '127.0.0.1' | '::1')}
              >
                <option value="127.0.0.1">127.0.0.1</option>
                <option value="::1">::1</option>
              </select>
            </label>
            <label>
              Port
              <NumberField
                className="num-input"
                aria-label="Inbox port"
                min={0}
                max={65535}
                value={hook.port}
                disabled={hook.running}
                onValue={setPort}
              />
            </label>
            {hook.running ? (
              <button
                type="button"
                className="secondary-button"
                disabled={hook.busy}
                onClick={() => void stop()}
              >
                Stop
              </button>
            ) : (
              <button
                type="button"
                className="primary-button"
                disabled={hook.busy}
                onClick={() => void start()}
              >
                Start
              </button>
            )}
          </div>
          {hook.error ? (
            <p className="webhook-error" role="alert">
              {hook.error.message}
            </p>
          ) : null}
          {hook.running && hook.url ? (
            <>
              <div className="webhook-url">
                <code className="mono" aria-label="Inbox URL">
                  {hook.url}
                </code>
                <button type="button" className="secondary-button" onClick={() => void copy()}>
                  {copied ? 'Copied' : 'Copy'}
                </button>
              </div>
              <p className="muted small">
                Use <code>{'{{$webhook}}'}</code> in a request: each send gets its own URL under{' '}
                <code>/hooks/</code>, and calls to it appear on the timeline linked to that request.{' '}
                {hook.calls > 0
                  ? `${groupDigits(hook.calls)} call${hook.calls === 1 ? '' : 's'} so far.`
                  : ''}
              </p>
            </>
          ) : (
            <p className="muted small">Port 0 picks a free port. The inbox listens on loopback only.</p>
          )}
        </div>
      ) : null}
    </div>
  )
}
