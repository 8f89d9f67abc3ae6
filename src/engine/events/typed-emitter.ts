/**
 * A small typed event emitter whose `emit` waits for every listener. The engine awaits its
 * `step-started` events so that a listener such as the journal can make the record durable
 * before the side effect begins; a listener that throws fails the emit (and so the step).
 */
export type Listener<Payload> = (payload: Payload) => void | Promise<void>;

export class TypedEmitter<Events extends { [Name in keyof Events]: unknown }> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  /** Subscribes; returns the function that unsubscribes. */
  on<Name extends keyof Events>(name: Name, listener: Listener<Events[Name]>): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener as Listener<never>);
    return () => {
      set.delete(listener as Listener<never>);
    };
  }

  /** Calls every listener of `name` in subscription order, one after the other. */
  async emit<Name extends keyof Events>(name: Name, payload: Events[Name]): Promise<void> {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const listener of [...set]) await (listener as Listener<Events[Name]>)(payload);
  }
}
