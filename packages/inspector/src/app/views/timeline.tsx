import { isoTime, short } from '../format.js';
import { href } from '../route.js';
import type { Fact } from '../types.js';

const WIDTH = 600;
const PAD = 12;

/** Where each version sits on a time axis from the first to the last moment. */
function positions(times: number[]): number[] {
  const min = Math.min(...times);
  const span = Math.max(...times) - min;
  return times.map((time) => (span === 0 ? WIDTH / 2 : PAD + ((time - min) / span) * (WIDTH - 2 * PAD)));
}

/**
 * Every version of a key: a strip per time axis (transaction time above, effective valid time
 * below) and a table, oldest first; the version shown above is marked.
 */
export function Timeline(props: { facts: Fact[]; shownSeq: number | null; store: string; keyName: string }) {
  const { facts, shownSeq, store, keyName } = props;
  const tx = positions(facts.map((fact) => fact.transactionTime));
  const valid = positions(facts.map((fact) => fact.validTime ?? fact.transactionTime));
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline ({facts.length} versions)</h2>
      <svg class="strip" viewBox={`0 0 ${WIDTH} 60`} role="img" aria-label="Versions on the time axes">
        <text x={0} y={10} class="axis-label">
          transaction time
        </text>
        <line x1={PAD} x2={WIDTH - PAD} y1={20} y2={20} class="axis" />
        <text x={0} y={44} class="axis-label">
          valid time
        </text>
        <line x1={PAD} x2={WIDTH - PAD} y1={52} y2={52} class="axis" />
        {facts.map((fact, index) => (
          <g key={fact.seq} class={fact.seq === shownSeq ? 'dot shown' : 'dot'}>
            <line x1={tx[index]} x2={valid[index]} y1={20} y2={52} class="link" />
            <circle cx={tx[index]} cy={20} r={5} />
            <circle cx={valid[index]} cy={52} r={5} />
          </g>
        ))}
      </svg>
      <div class="scroll">
        <table class="timeline">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Seq</th>
              <th scope="col">Transaction time</th>
              <th scope="col">Valid time</th>
              <th scope="col">Value</th>
              <th scope="col">Fact</th>
            </tr>
          </thead>
          <tbody>
            {facts.map((fact, index) => (
              <tr key={fact.seq} aria-current={fact.seq === shownSeq ? 'true' : undefined}>
                <td>
                  <a href={href.key(store, keyName, { asOf: fact.transactionTime })}>v{index + 1}</a>
                </td>
                <td>{fact.seq}</td>
                <td>{isoTime(fact.transactionTime)}</td>
                <td>{fact.validTime === null ? '-' : isoTime(fact.validTime)}</td>
                <td>
                  <code class="clip">{JSON.stringify(fact.value)}</code>
                </td>
                <td>
                  <a href={href.fact(fact.id)} title={fact.id}>
                    {short(fact.id, 13)}
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
