import { pretty } from '../format.js';
import { jsonDiff } from '../json-diff.js';
import type { Fact } from '../types.js';

function VersionSelect(props: {
  label: string;
  facts: Fact[];
  seq: number;
  onChange: (seq: number) => void;
}) {
  return (
    <label>
      {props.label}{' '}
      <select
        value={String(props.seq)}
        onChange={(event) => props.onChange(Number(event.currentTarget.value))}
      >
        {props.facts.map((fact, index) => (
          <option key={fact.seq} value={String(fact.seq)}>
            v{index + 1} (seq {fact.seq})
          </option>
        ))}
      </select>
    </label>
  );
}

/** The difference between two versions of a key, chosen by seq. */
export function DiffView(props: {
  facts: Fact[];
  pair: [number, number];
  onChange: (pair: [number, number]) => void;
}) {
  const { facts, pair, onChange } = props;
  const before = facts.find((fact) => fact.seq === pair[0]);
  const after = facts.find((fact) => fact.seq === pair[1]);
  const lines = before && after ? jsonDiff(before.value, after.value) : [];
  return (
    <section aria-labelledby="diff-title">
      <h2 id="diff-title">Diff</h2>
      <div class="row">
        <VersionSelect
          label="From"
          facts={facts}
          seq={pair[0]}
          onChange={(seq) => onChange([seq, pair[1]])}
        />
        <VersionSelect label="To" facts={facts} seq={pair[1]} onChange={(seq) => onChange([pair[0], seq])} />
      </div>
      {!before || !after ? (
        <p class="error">No version of this key has that seq.</p>
      ) : lines.length === 0 ? (
        <p class="muted">The two versions hold the same value.</p>
      ) : (
        <ul class="diff">
          {lines.map((line) => (
            <li key={line.path} class={line.op}>
              <code>{line.path}</code> {line.op}
              {line.op !== 'added' ? <pre class="before">- {pretty(line.before)}</pre> : null}
              {line.op !== 'removed' ? <pre class="after">+ {pretty(line.after)}</pre> : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
