import { api, dispatch, seg } from '../api.js';
import { type Graph, type GraphNode, lineageGraph, type Relation } from '../lineage-graph.js';
import { href, type Route } from '../route.js';
import type { Fact, Lineage } from '../types.js';
import { useLoad } from '../use-load.js';
import { Status } from './status.js';

type LineageRoute = Extract<Route, { view: 'lineage' }>;

const NODE_W = 250;
const NODE_H = 44;
const COLUMN_X = [8, 330, 652];
const ROW_H = 60;

async function loadLineage(store: string, key: string) {
  const base = `/stores/${seg(store)}/keys/${seg(key)}`;
  const [lineage, history, relations] = await Promise.all([
    api<Lineage>(`${base}/lineage`),
    api<{ facts: Fact[] }>(`${base}/history`),
    // Relations need read access to every store; a narrower token sees the graph without them.
    dispatch<{ relations?: Record<string, Relation> }>('metadata_snapshot', {}).then(
      (snapshot) => Object.values(snapshot.relations ?? {}),
      () => [] as Relation[],
    ),
  ]);
  return { lineage, graph: lineageGraph(lineage, history.facts, relations) };
}

function anchor(node: GraphNode, side: 'left' | 'right'): [number, number] {
  const x = (COLUMN_X[node.column] ?? 0) + (side === 'right' ? NODE_W : 0);
  return [x, 12 + node.row * ROW_H + NODE_H / 2];
}

function edgePath(from: GraphNode, to: GraphNode): string {
  if (from.column === to.column) {
    // Within the key's facts: an arc on the left of the column.
    const [x1, y1] = anchor(from, 'left');
    const [, y2] = anchor(to, 'left');
    const bend = x1 - 24 - Math.abs(to.row - from.row) * 6;
    return `M${x1},${y1} C${bend},${y1} ${bend},${y2} ${x1},${y2}`;
  }
  const [x1, y1] = anchor(from, from.column < to.column ? 'right' : 'left');
  const [x2, y2] = anchor(to, from.column < to.column ? 'left' : 'right');
  const mid = (x1 + x2) / 2;
  return `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`;
}

function GraphView(props: { graph: Graph }) {
  const { nodes, edges } = props.graph;
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const rows = Math.max(1, ...nodes.map((node) => node.row + 1));
  const height = rows * ROW_H + 12;
  return (
    <svg class="graph" viewBox={`0 0 910 ${height}`}>
      <title>Lineage graph</title>
      <defs>
        <marker
          id="arrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto"
        >
          <path d="M0,0 L10,5 L0,10 z" />
        </marker>
      </defs>
      {edges.map((edge) => {
        const from = byId.get(edge.from);
        const to = byId.get(edge.to);
        return from && to ? (
          <path
            key={`${edge.from}>${edge.to}`}
            class={`edge ${edge.label}`}
            d={edgePath(from, to)}
            marker-end="url(#arrow)"
          />
        ) : null;
      })}
      {nodes.map((node) => {
        const x = COLUMN_X[node.column] ?? 0;
        const y = 12 + node.row * ROW_H;
        const box = (
          <>
            <rect x={x} y={y} width={NODE_W} height={NODE_H} rx={6} />
            <text x={x + 8} y={y + 18} class="title">
              {node.title.slice(0, 34)}
            </text>
            <text x={x + 8} y={y + 35} class="detail">
              {node.detail.slice(0, 38)}
            </text>
          </>
        );
        return (
          <g key={node.id} class={`node column-${node.column}`}>
            {node.factId ? <a href={href.fact(node.factId)}>{box}</a> : box}
          </g>
        );
      })}
    </svg>
  );
}

/** The lineage of a key: a graph of its facts, causes, derivations and relations, and the proof hash. */
export function LineageView(props: { route: LineageRoute }) {
  const { store, key } = props.route;
  const loaded = useLoad(() => loadLineage(store, key), [store, key]);
  return (
    <section>
      <p class="crumbs">
        <a href={href.stores()}>Stores</a> / <a href={href.keys(store)}>{store}</a> /{' '}
        <a href={href.key(store, key)}>{key}</a> / lineage
      </p>
      <h1>
        Lineage of <code>{store}</code> / <code>{key}</code>
      </h1>
      <Status loaded={loaded}>
        {({ lineage, graph }) => {
          const titles = new Map(graph.nodes.map((node) => [node.id, node.title]));
          return (
            <>
              <p>
                Proof hash: <code class="hash proof">{lineage.proofHash ?? 'none (no facts)'}</code>
              </p>
              <p class="muted">
                {lineage.depth} facts. The proof hash is the SHA-256 of every fact's "id:valueHash:causation",
                in seq order, joined by "|".
              </p>
              <div class="scroll">
                <GraphView graph={graph} />
              </div>
              <h2>Links</h2>
              {graph.edges.length === 0 ? (
                <p class="muted">No causation, derivation or relation links.</p>
              ) : (
                <ul class="edges">
                  {graph.edges.map((edge) => (
                    <li key={`${edge.from}>${edge.to}`}>
                      {titles.get(edge.from)} <em>{edge.label}</em> {titles.get(edge.to)}
                    </li>
                  ))}
                </ul>
              )}
              {lineage.derivedBy.length > 0 ? (
                <>
                  <h2>Rules</h2>
                  <ul class="rules">
                    {lineage.derivedBy.map((rule) => (
                      <li key={rule.rule}>
                        <code>{rule.rule}</code> ({rule.kind}): {rule.sourceStore} → {rule.targetStore}/
                        {rule.targetKey}
                      </li>
                    ))}
                  </ul>
                </>
              ) : null}
            </>
          );
        }}
      </Status>
    </section>
  );
}
