/**
 * The four deployment sizes `parley deploy init` writes. What each carries (rooms, streams per
 * core, from the benchmarks) is in docs/deploy.md; this is only what the templates need.
 */
export const DEPLOY_SIZES = ["single", "basic", "standard", "cluster"] as const;
export type DeploySize = (typeof DEPLOY_SIZES)[number];

export interface SizePlan {
  /** One sentence for the generated README. */
  summary: string;
  nodes: number;
  /** Cores per node, one mediasoup worker each. */
  cores: number;
  memoryGiB: number;
  /** Where recordings go by default. */
  storage: "nas" | "s3";
  /** Redis for the nodes' recording journals and upload queues: none, one, or one with a standby. */
  redis: "none" | "primary" | "primary-and-replica";
}

export const SIZE_PLANS: Record<DeploySize, SizePlan> = {
  single: {
    summary: "One small media node, recordings on its own disk: a trial, a team, a first production",
    nodes: 1,
    cores: 2,
    memoryGiB: 4,
    storage: "nas",
    redis: "none",
  },
  basic: {
    summary: "One production media node, recordings on a local disk or a mounted NAS",
    nodes: 1,
    cores: 8,
    memoryGiB: 16,
    storage: "nas",
    redis: "none",
  },
  standard: {
    summary: "Two media nodes (one can carry the region while the other is down), recordings in S3, upload queues in Redis",
    nodes: 2,
    cores: 8,
    memoryGiB: 16,
    storage: "s3",
    redis: "primary",
  },
  cluster: {
    summary: "Four media nodes, recordings in S3, upload queues in Redis with a standby",
    nodes: 4,
    cores: 16,
    memoryGiB: 32,
    storage: "s3",
    redis: "primary-and-replica",
  },
};
