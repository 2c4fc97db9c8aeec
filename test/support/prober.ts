// A ProberState on a real flow record (its awaiting/candidate bits live there).
import { Flow } from '../../src/flow/flow';
import { FlowStore } from '../../src/flow/store';
import { ProberState } from '../../src/keepalive/prober';

export function newProber(): ProberState {
  const store = new FlowStore(1);
  const slot = store.allocate();
  return new ProberState(new Flow(store, slot).a);
}
