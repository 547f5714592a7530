import { api } from '../api.js';
import { href } from '../route.js';
import type { StoreCount } from '../types.js';
import { useLoad } from '../use-load.js';
import { Status } from './status.js';

/** The user stores (not `__` stores) with their fact and key counts. */
export function StoresView() {
  const loaded = useLoad(() => api<StoreCount[]>('/stores'), []);
  return (
    <section>
      <h1>Stores</h1>
      <Status loaded={loaded}>
        {(all) => {
          const stores = all.filter((entry) => !entry.store.startsWith('__'));
          if (stores.length === 0) return <p class="muted">No stores yet: nothing has been written.</p>;
          return (
            <div class="scroll">
              <table class="stores">
                <thead>
                  <tr>
                    <th scope="col">Store</th>
                    <th scope="col" class="num">
                      Facts
                    </th>
                    <th scope="col" class="num">
                      Keys
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {stores.map((entry) => (
                    <tr key={entry.store}>
                      <td>
                        <a href={href.keys(entry.store)}>{entry.store}</a>
                      </td>
                      <td class="num">{entry.factCount}</td>
                      <td class="num">{entry.keyCount}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          );
        }}
      </Status>
    </section>
  );
}
