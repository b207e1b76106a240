// Callers waiting for a set of QNs to be acknowledged on one session (a history request's 9012
// goes out once all its packets are acked). A waiter ends when its last QN is acked, when the
// connection drops (the packets stay pending in the outbox, but the request they answered is
// gone), or when its time runs out.
export type AckOutcome = "acked" | "disconnected" | "timeout";

interface Waiter {
  qns: Set<string>;
  resolve: (r: AckOutcome) => void;
  timer: NodeJS.Timeout;
}

export class AckWaiters {
  private readonly waiters = new Set<Waiter>();

  wait(qns: readonly string[], timeoutMs: number): Promise<AckOutcome> {
    if (!qns.length) return Promise.resolve("acked");
    return new Promise((resolve) => {
      const w: Waiter = { qns: new Set(qns), resolve, timer: setTimeout(() => this.settle(w, "timeout"), timeoutMs) };
      this.waiters.add(w);
    });
  }

  /** A QN's 9014 arrived. */
  acked(qn: string): void {
    for (const w of [...this.waiters]) if (w.qns.delete(qn) && w.qns.size === 0) this.settle(w, "acked");
  }

  /** The connection dropped or the session stopped: every waiter ends. */
  disconnected(): void {
    for (const w of [...this.waiters]) this.settle(w, "disconnected");
  }

  private settle(w: Waiter, r: AckOutcome): void {
    clearTimeout(w.timer);
    this.waiters.delete(w);
    w.resolve(r);
  }
}
