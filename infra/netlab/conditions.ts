/**
 * What the lab does to packets, per direction. Validated with zod wherever it comes from (the
 * TypeScript API, the CLI's flags and stdin commands, its HTTP control socket, the relay process's
 * IPC), refused with INVALID_REQUEST naming the field.
 */
import { ParleyError } from "@parley/shared";
// root zod is 3.x (a tool dependency); its zod/v4 subpath is the API shared/ uses
import { z } from "zod/v4";

const percent = z.number().min(0).max(100);

/** Gilbert–Elliott's two-state chain in its raw form (probabilities per packet, 0–1). */
export const GilbertElliottSchema = z.strictObject({
  /** P(good → bad) per packet. */
  p: z.number().min(0).max(1),
  /** P(bad → good) per packet; the mean burst (time in the bad state) is 1/r packets. */
  r: z.number().gt(0).max(1),
  /** Loss probability in the good state (1 − k in the literature); default 0. */
  lossGood: z.number().min(0).max(1).default(0),
  /** Loss probability in the bad state (1 − h); default 1. */
  lossBad: z.number().min(0).max(1).default(1),
});
export type GilbertElliott = z.infer<typeof GilbertElliottSchema>;

export const LinkConditionsSchema = z.strictObject({
  /** Packet loss in %; random unless `burst` > 1. */
  loss: percent.default(0),
  /**
   * Burst ratio (ITU-T G.113): the mean loss burst over the mean burst random loss would give.
   * 1 is random (Bernoulli); above 1 the loss is bursty, drawn from a Gilbert–Elliott chain with
   * the same mean loss. 2–4 is typical of congested Wi-Fi and mobile links.
   */
  burst: z.number().min(1).max(100).default(1),
  /** A raw Gilbert–Elliott chain; replaces `loss`/`burst` when given. */
  gilbertElliott: GilbertElliottSchema.optional(),
  /** Fixed one-way delay, ms. */
  delayMs: z.number().min(0).max(10_000).default(0),
  /** Extra delay drawn uniformly from ±jitter, ms; order is kept (a queue does not reorder). */
  jitterMs: z.number().min(0).max(5_000).default(0),
  /** Packets (%) held back by `reorderDelayMs` so the ones behind them overtake. */
  reorder: percent.default(0),
  reorderDelayMs: z.number().min(0).max(5_000).default(20),
  /** Packets (%) delivered twice. */
  duplicate: percent.default(0),
  /** Bottleneck rate in kbit/s (0 = unlimited), with a drop-tail queue of `queueMs` at that rate. */
  rateKbps: z.number().min(0).max(10_000_000).default(0),
  queueMs: z.number().min(0).max(10_000).default(200),
  /** Drop everything (UDP); TCP holds its bytes until the cut ends, as retransmission would. */
  cut: z.boolean().default(false),
});
export type LinkConditions = z.infer<typeof LinkConditionsSchema>;
export type LinkConditionsInput = z.input<typeof LinkConditionsSchema>;

/** Uplink is client → media node, downlink is media node → client. */
export const LabConditionsSchema = z.strictObject({
  uplink: LinkConditionsSchema.default(LinkConditionsSchema.parse({})),
  downlink: LinkConditionsSchema.default(LinkConditionsSchema.parse({})),
});
export type LabConditions = z.infer<typeof LabConditionsSchema>;
export type LabConditionsInput = z.input<typeof LabConditionsSchema>;

export const CLEAN_LINK: LinkConditions = LinkConditionsSchema.parse({});

export function parseLabConditions(input: unknown): LabConditions {
  return parseOrRefuse(LabConditionsSchema, input, "conditions");
}

export function parseLinkConditions(input: unknown): LinkConditions {
  return parseOrRefuse(LinkConditionsSchema, input, "link conditions");
}

export function parseOrRefuse<T extends z.ZodType>(schema: T, input: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.length ? issue.path.join(".") : what;
  throw new ParleyError("INVALID_REQUEST", `${what}: ${field}: ${issue?.message ?? "invalid"}`);
}

/** The same conditions both ways (what `--loss 30 --delay 150` means on the command line). */
export function symmetric(link: LinkConditionsInput): LabConditions {
  return parseLabConditions({ uplink: link, downlink: link });
}
