// Setting the OS clock needs CAP_SYS_TIME, which the agent's unit does not have. The agent writes a
// request file instead; station-agent-settime.path sees it and scripts/settime.sh applies it with
// the privilege (one line, "YYYY-MM-DD HH:MM:SS" in UTC). Tests pass their own SetClock.
import { renameSync, writeFileSync } from "node:fs";
import type { Logger } from "../log.js";
import { EXE_RTN } from "./answers.js";
import type { SetClock } from "./commands.js";

export function requestFileClock(path: string, log: Logger): SetClock {
  return (ms) => {
    const line = new Date(ms).toISOString().slice(0, 19).replace("T", " ");
    try {
      // Written whole then renamed, so the path unit never reads half a line.
      writeFileSync(`${path}.tmp`, line + "\n", { mode: 0o640 });
      renameSync(`${path}.tmp`, path);
    } catch (err) {
      log.warn(`cannot request a clock set (${(err as Error).message}); answered ExeRtn=2`);
      return EXE_RTN.failed;
    }
    log.warn(`clock-set request written to ${path} (${line} UTC); station-agent-settime.path applies it`);
    return EXE_RTN.ok;
  };
}
