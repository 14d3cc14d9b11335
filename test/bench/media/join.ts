/**
 * Join → first remote video frame on the local stack (edge in wrangler + one real media node, as
 * test/e2e/stack.ts starts them). A publisher bot stays in the room; each measured join is a fresh
 * viewer: from starting Room.connect (which subscribes to the tracks already published) to the first
 * decoded frame in its getStats, polled through room.getQuality(). The baseline, in the same run and
 * process, is a signalling-only join: Room.connect without subscribing (no transports, no media).
 */
import { Room } from "../../../sdk/src/client/index.js";
import { useNodeWebRTC } from "../../../sdk/src/node/index.js";
import { type Stack, startStack } from "../../e2e/stack.js";
import { percentile, round } from "../stats.js";

export interface JoinSettings {
  joins: number;
  /** Unmeasured media joins first, so JIT, workerd and the node's first router are warm. */
  warmupJoins: number;
  pollMs: number;
  firstFrameTimeoutMs: number;
  publisher: { width: number; height: number; fps: number; audio: boolean };
}

export interface Distribution {
  min: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

export interface JoinFigures {
  joinToFirstFrameMs: Distribution;
  /** The part of it until Room.connect resolved (signalling, transport, consume requests). */
  connectResolvedMs: Distribution;
  signallingOnlyJoinMs: Distribution;
  /** Measured time between two polls of getQuality (the timer plus getStats' own cost). */
  pollIntervalMs: Distribution;
  failures: string[];
}

const log = (msg: string) => process.stderr.write(`[join] ${msg}\n`);

export function distribution(samples: number[]): Distribution {
  const mean = samples.length ? samples.reduce((a, b) => a + b, 0) / samples.length : Number.NaN;
  return {
    min: round(percentile(samples, 0)),
    p50: round(percentile(samples, 50)),
    p99: round(percentile(samples, 99)),
    max: round(percentile(samples, 100)),
    mean: round(mean),
  };
}

/**
 * startStack picks a random RTC port in 42000-43999, inside the kernel's ephemeral range, so it can
 * collide with another process's socket; such a failure is retried. (startStack does not stop the
 * edge it already started when the media node fails; that edge lives until this process exits.)
 */
async function startStackRetrying(attempts = 3): Promise<Stack> {
  for (let i = 1; ; i++) {
    try {
      return await startStack({ nodeId: `bench-${process.pid}-${i}` });
    } catch (err) {
      if (i >= attempts || !/cannot listen/.test((err as Error).message)) throw err;
      log(`stack start failed (${(err as Error).message}); retrying`);
    }
  }
}

export async function measureJoins(settings: JoinSettings): Promise<JoinFigures> {
  log("starting the local stack (edge + media node)");
  const stack = await startStackRetrying();
  const rtc = useNodeWebRTC();
  const roomName = "bench-join";
  const firstFrame: number[] = [];
  const connected: number[] = [];
  const signalling: number[] = [];
  const polls: number[] = [];
  const failures: string[] = [];
  try {
    await stack.bot(roomName, "publisher", {
      audio: settings.publisher.audio,
      video: { width: settings.publisher.width, height: settings.publisher.height, fps: settings.publisher.fps },
    });

    const viewerJoin = async (user: string): Promise<{ connectMs: number; firstFrameMs: number }> => {
      const token = await stack.token(roomName, user);
      const t0 = performance.now();
      const room = await Room.connect(stack.edge.url, roomName, token, rtc);
      const connectMs = performance.now() - t0;
      try {
        const deadline = t0 + settings.firstFrameTimeoutMs;
        let lastPoll = performance.now();
        for (;;) {
          const report = await room.getQuality();
          const now = performance.now();
          polls.push(now - lastPoll);
          lastPoll = now;
          if (report.tracks.some((t) => t.direction === "recv" && t.kind === "video" && (t.framesDecoded ?? 0) > 0)) {
            return { connectMs, firstFrameMs: now - t0 };
          }
          if (now > deadline) throw new Error(`${user}: no decoded video frame within ${settings.firstFrameTimeoutMs} ms`);
          await new Promise((r) => setTimeout(r, settings.pollMs));
        }
      } finally {
        await room.leave();
      }
    };

    for (let i = 0; i < settings.warmupJoins; i++) {
      await viewerJoin(`warmup-${i}`).catch((err: Error) => {
        failures.push(`warm-up: ${err.message}`);
        log(`warm-up join failed: ${err.message}`);
      });
    }
    polls.length = 0;

    for (let i = 0; i < settings.joins; i++) {
      try {
        const r = await viewerJoin(`viewer-${i}`);
        firstFrame.push(r.firstFrameMs);
        connected.push(r.connectMs);
        log(`viewer ${i + 1}/${settings.joins}: connect ${round(r.connectMs)} ms, first frame ${round(r.firstFrameMs)} ms`);
      } catch (err) {
        failures.push((err as Error).message);
        log(`viewer ${i + 1}/${settings.joins} failed: ${(err as Error).message}`);
      }
    }

    // Same room, same publisher, same process: only the media part is missing.
    for (let i = 0; i < settings.joins; i++) {
      const token = await stack.token(roomName, `signal-only-${i}`);
      const t0 = performance.now();
      const room = await Room.connect(stack.edge.url, roomName, token, { ...rtc, autoSubscribe: false });
      signalling.push(performance.now() - t0);
      await room.leave();
    }
    log(`signalling-only joins: p50 ${round(percentile(signalling, 50))} ms`);
  } finally {
    await stack.stop();
  }
  return {
    joinToFirstFrameMs: distribution(firstFrame),
    connectResolvedMs: distribution(connected),
    signallingOnlyJoinMs: distribution(signalling),
    pollIntervalMs: distribution(polls),
    failures,
  };
}
