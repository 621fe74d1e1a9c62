import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { onLinkClick } from './router.ts';

export function Link(props: { to: string; children: ComponentChildren; current?: boolean }) {
  return (
    <a href={`/console${props.to}`} onClick={(e) => onLinkClick(e, props.to)} aria-current={props.current ? 'page' : undefined}>
      {props.children}
    </a>
  );
}

/** Loads data for a page; `reload` after a change. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const run = useCallback(() => {
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => setState({ data, loading: false }),
      (error: Error) => setState({ error, loading: false }),
    );
  }, deps);
  useEffect(run, [run]);
  return { ...state, reload: run };
}

export function Problem(props: { error: Error | undefined }) {
  if (!props.error) return null;
  return (
    <p class="problem" role="alert">
      {props.error.message}
    </p>
  );
}

export function Loading(props: { loading: boolean }) {
  return props.loading ? <p aria-live="polite">Loading…</p> : null;
}

export function When(props: { time: string | null | undefined }) {
  if (!props.time) return <span class="muted">never</span>;
  return <time dateTime={props.time}>{new Date(props.time).toLocaleString()}</time>;
}

/** A secret shown this once, selectable, with a copy button. */
export function ShownOnce(props: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="shown-once" role="status">
      <label>
        {props.label} (shown only this once)
        <input readOnly value={props.value} onFocus={(e) => (e.target as HTMLInputElement).select()} data-secret="" />
      </label>
      <button
        type="button"
        onClick={() => {
          navigator.clipboard?.writeText(props.value).then(
            () => setCopied(true),
            () => setCopied(false),
          );
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}

/** A destructive action behind a dialog that asks to type `expected` first. */
export function TypedConfirm(props: { action: string; expected: string; onConfirm: () => Promise<void> | void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<Error>();
  return (
    <>
      <button type="button" class="danger" onClick={() => dialog.current?.showModal()}>
        {props.action}
      </button>
      <dialog ref={dialog} aria-label={props.action}>
        <form
          method="dialog"
          onSubmit={async (e) => {
            e.preventDefault();
            if (typed !== props.expected) return;
            try {
              await props.onConfirm();
              dialog.current?.close();
            } catch (err) {
              setError(err as Error);
            }
          }}
        >
          <p>
            This cannot be undone. Type <strong>{props.expected}</strong> to confirm.
          </p>
          <label>
            Confirmation
            <input value={typed} onInput={(e) => setTyped((e.target as HTMLInputElement).value)} autoComplete="off" />
          </label>
          <Problem error={error} />
          <div class="actions">
            <button type="submit" class="danger" disabled={typed !== props.expected}>
              {props.action}
            </button>
            <button type="button" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}

/** Runs an action from a form or button, showing its error. */
export function useAction() {
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run };
}

export function formValues(event: Event): Record<string, string> {
  event.preventDefault();
  const data = new FormData(event.currentTarget as HTMLFormElement);
  const out: Record<string, string> = {};
  for (const [key, value] of data) if (typeof value === 'string') out[key] = value;
  return out;
}

/** Previous and next page of a cursor walk (RFC 9865): `cursors` is the walk so far, its last the page shown. */
export function CursorPager(props: { cursors: string[]; next: string | undefined; onChange: (cursors: string[]) => void }) {
  const { cursors, next, onChange } = props;
  return (
    <div class="actions">
      {cursors.length > 1 && (
        <button type="button" onClick={() => onChange(cursors.slice(0, -1))}>
          Previous page
        </button>
      )}
      {next && (
        <button type="button" onClick={() => onChange([...cursors, next])}>
          Next page
        </button>
      )}
    </div>
  );
}
