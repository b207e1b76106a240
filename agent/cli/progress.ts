// A progress bar on a terminal; plain progress lines (every 10 %) when output is not a TTY.
export interface Progress {
  tick(note?: string, by?: number): void;
  done(): void;
}

export function progressBar(total: number, label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  let n = 0;
  let lastPct = -1;
  const tty = !!stream.isTTY;
  const render = (note = "") => {
    const pct = total ? Math.floor((n / total) * 100) : 100;
    if (tty) {
      const width = 30;
      const filled = Math.round((pct / 100) * width);
      stream.write(`\r${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${pct}% ${n}/${total} ${note}   `);
    } else if (pct >= lastPct + 10 || n === total) {
      lastPct = pct - (pct % 10);
      stream.write(`${label}: ${pct}% (${n}/${total}) ${note}\n`);
    }
  };
  return {
    tick(note, by = 1) {
      n += by;
      render(note);
    },
    done() {
      if (tty) stream.write("\n");
    },
  };
}
