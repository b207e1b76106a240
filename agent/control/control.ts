// The control socket as a feature (socket.ts): CLI commands reach the running service through it.
// Features register what their commands do on the registry (maintenance, calibrate, resend…);
// the CLI falls back to direct access when no service answers.
import type { ControlCommands, ControlHandler, Feature } from "../feature.js";
import { ControlServer, controlSocketPath } from "./socket.js";

/** The commands the running service answers, by name. */
export class CommandRegistry implements ControlCommands {
  private readonly handlers = new Map<string, ControlHandler>();

  on(cmd: string, handler: ControlHandler): void {
    this.handlers.set(cmd, handler);
  }

  async dispatch(cmd: string, args: Record<string, unknown>): Promise<unknown> {
    const h = this.handlers.get(cmd);
    if (!h) throw new Error(`unknown command "${cmd}" (known: ${[...this.handlers.keys()].join(", ")})`);
    return h(cmd, args);
  }
}

export interface ControlDeps {
  /** The database path: the socket lives next to it. */
  dbPath: string;
  commands: CommandRegistry;
  /** Listen at all (tests that run several agents side by side turn it off). */
  enabled: boolean;
}

export class Control implements Feature {
  private server: ControlServer | null = null;

  constructor(private readonly deps: ControlDeps) {}

  async start(): Promise<void> {
    if (!this.deps.enabled) return;
    this.server = new ControlServer(controlSocketPath(this.deps.dbPath), (cmd, args) => this.deps.commands.dispatch(cmd, args));
    await this.server.start();
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }
}
