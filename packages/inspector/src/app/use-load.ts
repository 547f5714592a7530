import { useEffect, useState } from 'preact/hooks';
import { onAuthChange } from './api.js';

export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'ok'; value: T }
  | { state: 'error'; error: Error & { code?: string } };

/**
 * Runs `load` when `deps` change and again when a token is given; the latest answer wins. While
 * a new answer loads, the last one stays on screen, so a control being used (the time-travel
 * slider) keeps its focus.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  useEffect(() => onAuthChange(() => setGeneration((n) => n + 1)), []);
  useEffect(() => {
    let live = true;
    setResult((shown) => (shown.state === 'ok' ? shown : { state: 'loading' }));
    load().then(
      (value) => live && setResult({ state: 'ok', value }),
      (error: Error) => live && setResult({ state: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, [...deps, generation]);
  return result;
}
