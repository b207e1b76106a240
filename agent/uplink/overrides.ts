// Settings a platform changes at run time (1000 timeouts, 1062/1064 intervals, 1072 password,
// 1002 MN in HJ 212-2025).
// The YAML may sit on a read-only /etc, so they live in the store, layered over it: applied at
// start and whenever a platform sets one. Each change is recorded with who made it and when.
import type { PlatformConfig } from "../../config/schema.js";
import type { Db } from "../store/db.js";
import { migrate } from "../store/db.js";
import type { SecretStore } from "../secrets/store.js";

const MIGRATIONS = [
  `CREATE TABLE uplink_overrides (
     platform TEXT NOT NULL,
     key TEXT NOT NULL,
     value TEXT NOT NULL,            -- JSON
     set_at INTEGER NOT NULL,
     actor TEXT NOT NULL,
     PRIMARY KEY (platform, key)
   );`,
];

/** The platform settings a platform may change; nothing else can be overridden. */
export const OVERRIDABLE = ["ack_timeout_s", "retries", "realtime_interval_s", "minute_interval_min", "pw", "mn"] as const;
export type OverrideKey = (typeof OVERRIDABLE)[number];
export type OverrideValues = Partial<Pick<PlatformConfig, OverrideKey>>;

export interface OverrideRow {
  platform: string;
  key: OverrideKey;
  value: string | number;
  setAt: number;
  actor: string;
}

/** What the table holds for a password kept in the secrets file: that it was set, by whom, when. */
export const PW_IN_SECRETS = "(in the secrets file)";
const pwSecret = (platform: string) => `platform/${platform}/pw`;

export interface OverrideStoreOptions {
  /** Where a password set by 1072 is kept (0600), instead of this table. */
  secrets?: SecretStore;
  /** Audits moving an older database's passwords into the secrets file. */
  audit?: { append(e: { actor: string; action: string; reason?: string; details?: Record<string, unknown> }): unknown };
}

export class OverrideStore {
  constructor(
    private readonly db: Db,
    private readonly opts: OverrideStoreOptions = {},
  ) {
    migrate(db, "uplink_overrides", MIGRATIONS);
    if (opts.secrets && !db.readonly) this.movePasswords();
  }

  /** Passwords an older version kept in the table go to the secrets file, audited. */
  private movePasswords(): void {
    const rows = this.db.prepare("SELECT platform, value, actor, set_at FROM uplink_overrides WHERE key = 'pw' AND value != ?").all(JSON.stringify(PW_IN_SECRETS)) as { platform: string; value: string; actor: string; set_at: number }[];
    for (const r of rows) {
      this.opts.secrets!.set(pwSecret(r.platform), JSON.parse(r.value) as string);
      this.db.transaction(() => {
        this.db.prepare("UPDATE uplink_overrides SET value = ? WHERE platform = ? AND key = 'pw'").run(JSON.stringify(PW_IN_SECRETS), r.platform);
        this.opts.audit?.append({ actor: "agent", action: "platform.set_password", reason: "moved from the database into the secrets file (0600)", details: { platform: r.platform, pw: "******" } });
      })();
    }
  }

  /** Every override; empty when the table does not exist yet (read-only access to an older database). */
  list(): OverrideRow[] {
    const exists = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'uplink_overrides'").get();
    if (!exists) return [];
    const rows = this.db.prepare("SELECT platform, key, value, set_at, actor FROM uplink_overrides ORDER BY platform, key").all() as {
      platform: string;
      key: string;
      value: string;
      set_at: number;
      actor: string;
    }[];
    return rows
      .filter((r) => (OVERRIDABLE as readonly string[]).includes(r.key))
      .map((r) => ({ platform: r.platform, key: r.key as OverrideKey, value: JSON.parse(r.value) as string | number, setAt: r.set_at, actor: r.actor }));
  }

  values(platform: string): OverrideValues {
    const out: Record<string, unknown> = {};
    for (const r of this.list()) {
      if (r.platform !== platform) continue;
      if (r.key === "pw" && r.value === PW_IN_SECRETS) {
        const pw = this.opts.secrets?.get(pwSecret(platform));
        if (pw !== undefined) out.pw = pw;
      } else out[r.key] = r.value;
    }
    return out as OverrideValues;
  }

  set(platform: string, values: OverrideValues, actor: string, at = Date.now()): void {
    const st = this.db.prepare(
      `INSERT INTO uplink_overrides (platform, key, value, set_at, actor) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(platform, key) DO UPDATE SET value = excluded.value, set_at = excluded.set_at, actor = excluded.actor`,
    );
    this.db.transaction(() => {
      for (const [k, v] of Object.entries(values)) {
        if (v === undefined) continue;
        if (k === "pw" && this.opts.secrets) {
          this.opts.secrets.set(pwSecret(platform), String(v));
          st.run(platform, k, JSON.stringify(PW_IN_SECRETS), at, actor);
        } else st.run(platform, k, JSON.stringify(v), at, actor);
      }
    })();
  }

  /**
   * Layers the stored overrides over a platform's YAML settings, in place: the running agent reads
   * its platform settings from these objects (intervals, timeouts, PW), so one place changes them.
   */
  applyTo(cfg: PlatformConfig): OverrideValues {
    const v = this.values(cfg.id);
    Object.assign(cfg, v);
    return v;
  }
}

/** An override row fit for printing: the password never leaves the process. */
export function redactOverride(r: OverrideRow): OverrideRow {
  return r.key === "pw" ? { ...r, value: "******" } : r;
}
