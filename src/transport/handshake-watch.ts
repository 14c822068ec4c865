// "Not yet" vs "failed" for an SSH handshake. The connect timeout is how long the server may stay silent:
// no TCP connection, no identification banner, no next key-exchange or auth message within it is a
// failure, but a server that keeps answering is alive and only slow (an sshd on a saturated machine
// forks, re-execs and signs late), so its handshake goes on, up to an overall cap. OpenSSH's
// ConnectTimeout bounds only the TCP connect and the banner; this also bounds every later silence.

/** The longest a handshake that keeps making progress may take (ssh2's readyTimeout). */
export function handshakeCapMs(connectTimeoutMs: number): number {
  return Math.max(60_000, connectTimeoutMs * 6);
}

export interface ProgressMark {
  /** the progress counter when it last changed */
  value: number;
  /** clock time of that change (or of the start) */
  at: number;
}

/** Pure: what a look at the progress counter at `now` says. */
export function idleVerdict(last: ProgressMark, value: number, now: number, idleMs: number): { idle: boolean; last: ProgressMark } {
  if (value !== last.value) return { idle: false, last: { value, at: now } };
  return { idle: now - last.at >= idleMs, last };
}

export interface WatchClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(t: unknown): void;
}

const realClock: WatchClock = { now: () => Date.now(), setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (t) => clearTimeout(t as NodeJS.Timeout) };

/**
 * Looks at `progress()` (e.g. bytes read from the server) every quarter of idleMs and calls onIdle once
 * when it has not changed for idleMs. stop() ends the watch (on ready or on any other failure).
 */
export function watchProgress(progress: () => number, idleMs: number, onIdle: () => void, clock: WatchClock = realClock): { stop(): void } {
  let last: ProgressMark = { value: progress(), at: clock.now() };
  let timer: unknown;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    const v = idleVerdict(last, progress(), clock.now(), idleMs);
    last = v.last;
    if (v.idle) {
      stopped = true;
      onIdle();
      return;
    }
    timer = clock.setTimeout(tick, Math.max(50, idleMs / 4));
  };
  timer = clock.setTimeout(tick, Math.max(50, idleMs / 4));
  return {
    stop() {
      stopped = true;
      clock.clearTimeout(timer);
    },
  };
}
