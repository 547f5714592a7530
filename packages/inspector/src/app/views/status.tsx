import type { ComponentChildren } from 'preact';
import type { Loaded } from '../use-load.js';

/** Loading text, an error with its code, or the view drawn from the loaded value. */
export function Status<T>(props: { loaded: Loaded<T>; children: (value: T) => ComponentChildren }) {
  const { loaded } = props;
  if (loaded.state === 'loading')
    return (
      <p class="muted" aria-live="polite">
        Loading…
      </p>
    );
  if (loaded.state === 'error') return <ErrorText error={loaded.error} />;
  return <>{props.children(loaded.value)}</>;
}

/** An error answer: its code and message. */
export function ErrorText(props: { error: Error & { code?: string } }) {
  return (
    <p class="error" role="alert">
      {props.error.code ? <code>{props.error.code}</code> : null} {props.error.message}
    </p>
  );
}
