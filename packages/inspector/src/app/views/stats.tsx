import { useState } from 'preact/hooks';
import { api, dispatch } from '../api.js';
import { bytes, isoTime } from '../format.js';
import type { Health, SegmentManifest, StorageStats, VerifyResult } from '../types.js';
import { useLoad } from '../use-load.js';
import { ErrorText, Status } from './status.js';

async function loadStats() {
  const [health, stats, manifest] = await Promise.all([
    api<Health>('/health'),
    dispatch<StorageStats | null>('storage_stats', {}),
    dispatch<SegmentManifest | null>('segment_manifest', {}),
  ]);
  return { health, stats, manifest };
}

function Verify() {
  const [result, setResult] = useState<
    | { state: 'idle' }
    | { state: 'running' }
    | { state: 'done'; value: VerifyResult }
    | { state: 'error'; error: Error }
  >({ state: 'idle' });
  return (
    <section aria-labelledby="verify-title">
      <h2 id="verify-title">Verify</h2>
      <p class="muted">
        Re-reads every data file: frame checksums, value hashes, seq order, causation (admin tokens).
      </p>
      <button
        type="button"
        disabled={result.state === 'running'}
        onClick={() => {
          setResult({ state: 'running' });
          api<VerifyResult>('/admin/verify', {}).then(
            (value) => setResult({ state: 'done', value }),
            (error: Error) => setResult({ state: 'error', error }),
          );
        }}
      >
        {result.state === 'running' ? 'Verifying…' : 'Verify storage'}
      </button>
      <div aria-live="polite" class="verify-result">
        {result.state === 'done' ? (
          result.value.ok ? (
            <p class="ok">OK: {result.value.factsChecked} facts checked, no problems.</p>
          ) : (
            <>
              <p class="error">
                {result.value.problems.length} problems in {result.value.factsChecked} facts checked:
              </p>
              <ul>
                {result.value.problems.map((problem, index) => (
                  <li key={index}>
                    <code>{problem.kind}</code> {problem.message}
                    {problem.file
                      ? ` (${problem.file}${problem.offset !== undefined ? ` @${problem.offset}` : ''})`
                      : ''}
                  </li>
                ))}
              </ul>
            </>
          )
        ) : result.state === 'error' ? (
          <ErrorText error={result.error} />
        ) : null}
      </div>
    </section>
  );
}

/** Server health, storage statistics per store, the segment manifest, and a verify button. */
export function StatsView() {
  const loaded = useLoad(loadStats, []);
  return (
    <section>
      <h1>Storage</h1>
      <Status loaded={loaded}>
        {({ health, stats, manifest }) => (
          <>
            <dl class="fields">
              <dt>Backend</dt>
              <dd>{health.backend}</dd>
              <dt>Engine</dt>
              <dd>{health.engine}</dd>
              <dt>Role</dt>
              <dd>{health.role}</dd>
              <dt>Facts</dt>
              <dd>{health.fact_count}</dd>
              <dt>Last seq</dt>
              <dd>{health.last_seq}</dd>
              <dt>Size</dt>
              <dd>{stats ? bytes(stats.byte_size) : 'in memory'}</dd>
              {stats && stats.recovered_tail_bytes > 0 ? (
                <>
                  <dt>Recovered tail</dt>
                  <dd>{bytes(stats.recovered_tail_bytes)} cut off a torn write at open</dd>
                </>
              ) : null}
            </dl>
            {stats ? (
              <>
                <h2>Stores</h2>
                <div class="scroll">
                  <table class="storage">
                    <thead>
                      <tr>
                        <th scope="col">Store</th>
                        <th scope="col" class="num">
                          Facts
                        </th>
                        <th scope="col" class="num">
                          Bytes
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {Object.entries(stats.stores).map(([store, entry]) => (
                        <tr key={store}>
                          <td>{store}</td>
                          <td class="num">{entry.fact_count}</td>
                          <td class="num">{bytes(entry.byte_size)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </>
            ) : null}
            <h2>Segment manifest</h2>
            {manifest ? (
              <div class="scroll">
                <table class="manifest">
                  <thead>
                    <tr>
                      <th scope="col">Store</th>
                      <th scope="col" class="num">
                        Segment
                      </th>
                      <th scope="col">Sealed</th>
                      <th scope="col">Seqs</th>
                      <th scope="col">Times</th>
                      <th scope="col" class="num">
                        Facts
                      </th>
                      <th scope="col" class="num">
                        Bytes
                      </th>
                      <th scope="col">Codec</th>
                    </tr>
                  </thead>
                  <tbody>
                    {Object.entries(manifest.stores).flatMap(([store, segments]) =>
                      segments.map((segment) => (
                        <tr key={`${store}:${segment.segment}`}>
                          <td>{store}</td>
                          <td class="num">{segment.segment}</td>
                          <td>{segment.sealed ? 'yes' : 'live'}</td>
                          <td>
                            {segment.min_seq ?? '-'} to {segment.max_seq ?? '-'}
                          </td>
                          <td>
                            {isoTime(segment.min_time)} to {isoTime(segment.max_time)}
                          </td>
                          <td class="num">{segment.fact_count}</td>
                          <td class="num">{bytes(segment.byte_size)}</td>
                          <td>{segment.codec}</td>
                        </tr>
                      )),
                    )}
                  </tbody>
                </table>
              </div>
            ) : (
              <p class="muted">Not a segmented store: no segments.</p>
            )}
            <Verify />
          </>
        )}
      </Status>
    </section>
  );
}
