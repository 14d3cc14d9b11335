/**
 * Join → first remote video frame, Parley's beside a minimal mediasoup app's in the same run.
 *
 * Parley: the local stack (edge in wrangler + one real media node, as test/e2e/stack.ts starts
 * them), a publisher bot in the room; each measured join is a fresh SDK viewer, from calling
 * Room.connect (which subscribes to the tracks already published) to the first decoded frame in
 * its getStats, polled through room.getQuality(). Its own baseline is a signalling-only join:
 * Room.connect without subscribing (no transports, no media).
 *
 * Anchor: minimal-app/ (a WebSocket, transports, produce, consume — what mediasoup-demo does) with
 * the same client stack (@roamhq/wrtc + mediasoup-client) and the same publisher settings; a join
 * is from opening the WebSocket to the first decoded frame in the receive transport's stats.
 *
 * Joins alternate between the two (and which goes first), so the load other work puts on this
 * shared machine falls on both alike.
 */
import { Room } from "../../../sdk/src/client/index.js";
import { syntheticAudio, syntheticVideo, useNodeWebRTC } from "../../../sdk/src/node/index.js";
import { type Stack, startStack } from "../../e2e/stack.js";
import { percentile, round } from "../stats.js";
import { MinimalAppClient } from "./minimal-app/client.js";
import { MinimalAppServer } from "./minimal-app/server.js";
import { inboundVideo } from "./peer.js";
import { sleep } from "./wait.js";

export interface JoinSettings {
  joins: number;
  /**
   * Pause before each join. A join right after another meets the publisher's encoder ignoring
   * keyframe requests within 300 ms of the last, and plain mediasoup then waits a second to ask
   * again; a gap longer than that makes every join a lone viewer's (Parley's room folds such
   * requests, which back-to-back joins would show instead).
   */
  gapMs: number;
  /** Unmeasured media joins first, so JIT, workerd and each side's first router are warm. */
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
  /** The part of it until the join call resolved (signalling, transport, consume requests). */
  connectResolvedMs: Distribution;
  /** Measured time between two stats polls (the timer plus getStats' own cost). */
  pollIntervalMs: Distribution;
  failures: string[];
}

export type JoinSideName = "parley" | "minimalApp";

interface JoinTiming {
  connectMs: number;
  firstFrameMs: number;
}

/** One way of joining the room as a fresh viewer; the publisher is already there. */
interface JoinSide {
  readonly name: JoinSideName;
  viewerJoin(user: string, polls: number[]): Promise<JoinTiming>;
  stop(): Promise<void>;
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

/** Polls `hasFrame` every pollMs (after the previous poll returns) until it holds; returns the time since t0. */
async function untilFirstFrame(hasFrame: () => Promise<boolean>, t0: number, settings: JoinSettings, polls: number[]): Promise<number> {
  const deadline = t0 + settings.firstFrameTimeoutMs;
  let lastPoll = performance.now();
  for (;;) {
    const got = await hasFrame();
    const now = performance.now();
    polls.push(now - lastPoll);
    lastPoll = now;
    if (got) return now - t0;
    if (now > deadline) throw new Error(`no decoded video frame within ${settings.firstFrameTimeoutMs} ms`);
    await sleep(settings.pollMs);
  }
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

const ROOM = "bench-join";

async function openParley(settings: JoinSettings): Promise<JoinSide & { signallingOnlyJoin(user: string): Promise<number> }> {
  log("starting the local stack (edge + media node)");
  const stack = await startStackRetrying();
  const rtc = useNodeWebRTC();
  try {
    await stack.bot(ROOM, "publisher", {
      audio: settings.publisher.audio,
      video: { width: settings.publisher.width, height: settings.publisher.height, fps: settings.publisher.fps },
    });
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return {
    name: "parley",
    async viewerJoin(user, polls) {
      const token = await stack.token(ROOM, user);
      const t0 = performance.now();
      const room = await Room.connect(stack.edge.url, ROOM, token, rtc);
      const connectMs = performance.now() - t0;
      try {
        const hasFrame = async () =>
          (await room.getQuality()).tracks.some((t) => t.direction === "recv" && t.kind === "video" && (t.framesDecoded ?? 0) > 0);
        return { connectMs, firstFrameMs: await untilFirstFrame(hasFrame, t0, settings, polls) };
      } finally {
        await room.leave();
      }
    },
    async signallingOnlyJoin(user) {
      const token = await stack.token(ROOM, user);
      const t0 = performance.now();
      const room = await Room.connect(stack.edge.url, ROOM, token, { ...rtc, autoSubscribe: false });
      const ms = performance.now() - t0;
      await room.leave();
      return ms;
    },
    stop: () => stack.stop(),
  };
}

async function openMinimalApp(settings: JoinSettings): Promise<JoinSide> {
  const server = await MinimalAppServer.start();
  const sources = [syntheticVideo(settings.publisher), ...(settings.publisher.audio ? [syntheticAudio()] : [])];
  let publisher: Awaited<ReturnType<typeof MinimalAppClient.join>> | undefined;
  const closePublisher = () => {
    for (const s of sources) s.stop();
    publisher?.peer.close();
    publisher?.client.close();
  };
  try {
    publisher = await MinimalAppClient.join(server.url);
    for (const s of sources) await publisher.peer.produce(s.track);
  } catch (error) {
    closePublisher();
    await server.stop();
    throw error;
  }
  return {
    name: "minimalApp",
    async viewerJoin(_user, polls) {
      const t0 = performance.now();
      const { client, peer, producers } = await MinimalAppClient.join(server.url);
      try {
        await peer.consume(producers.map((p) => p.id));
        const connectMs = performance.now() - t0;
        const hasFrame = async () => inboundVideo(await peer.receiveStats()).framesDecoded > 0;
        return { connectMs, firstFrameMs: await untilFirstFrame(hasFrame, t0, settings, polls) };
      } finally {
        peer.close();
        client.close();
      }
    },
    async stop() {
      closePublisher();
      await server.stop();
    },
  };
}

export interface JoinComparison {
  parley: JoinFigures & { signallingOnlyJoinMs: Distribution };
  minimalApp: JoinFigures;
}

export async function measureJoins(settings: JoinSettings): Promise<JoinComparison> {
  const parley = await openParley(settings);
  let minimalApp: JoinSide | undefined;
  const samples = {
    parley: { firstFrame: [] as number[], connected: [] as number[], polls: [] as number[], failures: [] as string[] },
    minimalApp: { firstFrame: [] as number[], connected: [] as number[], polls: [] as number[], failures: [] as string[] },
  };
  const signalling: number[] = [];
  try {
    minimalApp = await openMinimalApp(settings);
    const sides = [parley, minimalApp];
    const join = async (side: JoinSide, user: string, measured: boolean) => {
      const s = samples[side.name];
      await sleep(settings.gapMs);
      try {
        const r = await side.viewerJoin(user, measured ? s.polls : []);
        if (measured) {
          s.firstFrame.push(r.firstFrameMs);
          s.connected.push(r.connectMs);
        }
        log(`${side.name} ${user}: connect ${round(r.connectMs)} ms, first frame ${round(r.firstFrameMs)} ms`);
      } catch (err) {
        s.failures.push(`${measured ? "" : "warm-up "}${user}: ${(err as Error).message}`);
        log(`${side.name} ${user} failed: ${(err as Error).message}`);
      }
    };
    for (let i = 0; i < settings.warmupJoins; i++) for (const side of sides) await join(side, `warmup-${i}`, false);
    for (let i = 0; i < settings.joins; i++) {
      for (const side of i % 2 === 0 ? sides : [...sides].reverse()) await join(side, `viewer-${i}`, true);
    }
    // Same room, same publisher, same process: only the media part is missing.
    for (let i = 0; i < settings.joins; i++) signalling.push(await parley.signallingOnlyJoin(`signal-only-${i}`));
    log(`parley signalling-only joins: p50 ${round(percentile(signalling, 50))} ms`);
  } finally {
    await minimalApp?.stop();
    await parley.stop();
  }
  const figures = (s: (typeof samples)["parley"]): JoinFigures => ({
    joinToFirstFrameMs: distribution(s.firstFrame),
    connectResolvedMs: distribution(s.connected),
    pollIntervalMs: distribution(s.polls),
    failures: s.failures,
  });
  return {
    parley: { ...figures(samples.parley), signallingOnlyJoinMs: distribution(signalling) },
    minimalApp: figures(samples.minimalApp),
  };
}
