/** An answer of a served store: status and JSON body. */
export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** `fetch` with an optional JSON body; the answer's body parsed as JSON. */
export async function call(url: string, init: { method?: string; body?: unknown } = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    ...(init.body === undefined
      ? {}
      : { body: JSON.stringify(init.body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** PUTs `value` at `store/key`; the answer. */
export function put(url: string, store: string, key: string, value: unknown): Promise<Answer> {
  return call(`${url}/v1/stores/${store}/keys/${key}`, { method: 'PUT', body: { value } });
}

/** Polls `GET /v1/health` until its `last_seq` reaches `seq`; the health then. */
export async function healthAt(
  url: string,
  seq: number,
  timeoutMs = 20_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await call(`${url}/v1/health`);
    if ((body.last_seq as number) >= seq) return body;
    if (Date.now() > deadline) throw new Error(`last_seq stayed at ${String(body.last_seq)}, below ${seq}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Writes keys `k1`, `k2`, ... from `connections` concurrent loops until `stop()`; resolves with
 * the keys whose write was acknowledged (201). A write cut off by the server dying is not.
 */
export function writeLoad(
  url: string,
  connections: number,
): { acknowledged(count: number): Promise<void>; stop(): Promise<string[]> } {
  let next = 0;
  let running = true;
  const acked: string[] = [];
  const loops = Array.from({ length: connections }, async () => {
    while (running) {
      next += 1;
      const key = `k${next}`;
      try {
        const answer = await put(url, 'load', key, { n: next });
        if (answer.status === 201) acked.push(key);
        else running = false;
      } catch {
        running = false;
      }
    }
  });
  return {
    async acknowledged(count) {
      while (acked.length < count) {
        if (!running) throw new Error(`the load stopped after ${acked.length} acknowledged writes`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async stop() {
      running = false;
      await Promise.all(loops);
      return acked;
    },
  };
}
