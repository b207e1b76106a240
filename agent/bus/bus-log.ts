// What the bus layer logs through: the agent's logger, or nothing (a CLI read by hand). Its own file
// so that the transport and the reopener, which both log, need not import each other.
export interface BusLog {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}
