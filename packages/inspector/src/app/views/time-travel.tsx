import { useEffect, useState } from 'preact/hooks';
import { isoTime, parseMoment } from '../format.js';

/**
 * The slider position of `value` among `moments` (ascending): the last moment <= value. The last
 * stop is "latest" (null), which stands for the last moment too: one step left shows an older value.
 */
function positionOf(moments: number[], value: number | null): number {
  if (value === null) return Math.max(0, moments.length - 1);
  let position = 0;
  moments.forEach((moment, index) => {
    if (moment <= value) position = index;
  });
  return position;
}

/**
 * A time-travel control: a slider that steps through the moments the key changed at (the last
 * stop is "latest"; arrow keys move it), and a field for any moment (ISO 8601 or epoch ms).
 */
export function TimeTravel(props: {
  name: string;
  label: string;
  moments: number[];
  value: number | null;
  onChange: (value: number | null) => void;
}) {
  const { name, label, moments, value, onChange } = props;
  const [typed, setTyped] = useState(value === null ? '' : isoTime(value));
  const [bad, setBad] = useState(false);
  useEffect(() => {
    setTyped(value === null ? '' : isoTime(value));
    setBad(false);
  }, [value]);
  const position = positionOf(moments, value);
  const shown = value === null ? 'latest' : isoTime(value);
  return (
    <fieldset class="time-travel" data-control={name}>
      <legend>{label}</legend>
      <input
        type="range"
        name={name}
        min={0}
        max={Math.max(0, moments.length - 1)}
        step={1}
        value={position}
        aria-label={`${label}: step through the versions`}
        aria-valuetext={shown}
        onInput={(event) => {
          const index = Number(event.currentTarget.value);
          onChange(index >= moments.length - 1 ? null : (moments[index] ?? null));
        }}
      />
      <output class="moment" name={`${name}-shown`}>
        {shown}
      </output>
      <form
        class="row"
        onSubmit={(event) => {
          event.preventDefault();
          if (typed.trim() === '') return onChange(null);
          const moment = parseMoment(typed);
          setBad(moment === null);
          if (moment !== null) onChange(moment);
        }}
      >
        <label>
          Moment{' '}
          <input
            type="text"
            name={`${name}-moment`}
            placeholder="2026-01-31T12:00:00Z or epoch ms"
            value={typed}
            aria-invalid={bad}
            onInput={(event) => setTyped(event.currentTarget.value)}
          />
        </label>
        <button type="submit">Go</button>
        <button type="button" onClick={() => onChange(null)} disabled={value === null}>
          Latest
        </button>
      </form>
      {bad ? <p class="error">Give an ISO 8601 date-time or epoch milliseconds.</p> : null}
    </fieldset>
  );
}
