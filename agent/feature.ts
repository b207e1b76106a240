// What every feature of the agent is (after zigbee2mqtt's extensions, shared/style.md §4): a class
// whose constructor only stores its dependencies, which builds its tables and timers in start()
// and lets go of them in stop(). agent/main.ts lists the features; it starts them in that order
// and stops them in reverse.
export interface Feature {
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

/** What a control-socket command does while the service runs (agent/control/). */
export type ControlHandler = (cmd: string, args: Record<string, unknown>) => Promise<unknown> | unknown;

/** Where features register their control-socket commands (maintenance, calibrate, resend…). */
export interface ControlCommands {
  on(cmd: string, handler: ControlHandler): void;
}

/** The audit trail as features below it write to it (agent/audit/log.ts is the real one). */
export interface AuditSink {
  append(entry: { actor: string; action: string; reason?: string; details?: Record<string, unknown> }): unknown;
}
