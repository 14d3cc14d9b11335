import * as z from "zod";

export const CONTROL_LIMITS = {
  /** Lifetime of the tokens the edge and nodes mint, in seconds. */
  tokenTtlSeconds: 60,
  /** Longest lifetime a verifier accepts (exp - iat), in seconds. */
  maxTokenTtlSeconds: 300,
  /** Clock skew tolerated between edge and nodes, in seconds. */
  clockSkewSeconds: 10,
  /** Largest control or event body, in bytes (browser RTP capabilities are ~10-20 KiB). */
  bodyBytes: 128 * 1024,
  /** Shortest fleet secret, in characters. */
  minSecretChars: 32,
  /** Most events in one POST /internal/fleet/events batch. */
  eventsPerBatch: 200,
} as const;

/** Issuer of edge → node tokens, and audience of node → edge tokens. */
export const EDGE_ISSUER = "parley-edge";

/** Media node ids: short, DNS-label-like, so they fit in URLs, metrics labels and DO keys. */
export const NodeId = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, "node id may only use letters, digits, _ and -, starting with a letter or digit");
export type NodeId = z.infer<typeof NodeId>;

export const Region = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[a-z0-9][a-z0-9-]*$/, "region is lower-case letters, digits and -");

/**
 * A room as the node knows it. The Room DO is one per app+room, so it names rooms on nodes
 * uniquely, e.g. `ak_xxx:my-room`; the node treats the id as opaque.
 */
export const NodeRoomId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_.@:-]+$/, "node room id may only use letters, digits and _ . @ : -");
export type NodeRoomId = z.infer<typeof NodeRoomId>;

/** Ids mediasoup hands out (UUIDs) for transports, producers, consumers and routers. */
export const MediaId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "media ids are letters, digits, _ and -");
/** A member tag the Room DO attaches to transports so node events can name whose they are. */
export const MemberTag = z.string().min(1).max(128);

const Params = z
  .record(z.string().max(64), z.union([z.string().max(512), z.number()]))
  .refine((p) => Object.keys(p).length <= 32, "at most 32 codec parameters");
const RtcpFeedback = z.object({ type: z.string().min(1).max(32), parameter: z.string().max(32).optional() });
const PayloadType = z.number().int().min(0).max(127);

export const MEDIA_KINDS = ["audio", "video"] as const;
export const MediaKind = z.enum(MEDIA_KINDS);
export type MediaKind = z.infer<typeof MediaKind>;

export const RTP_HEADER_EXTENSION_URIS = [
  "urn:ietf:params:rtp-hdrext:sdes:mid",
  "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
  "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
  "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
  "urn:3gpp:video-orientation",
  "urn:ietf:params:rtp-hdrext:toffset",
  "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
  "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
  "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time",
  "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay",
  "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension",
] as const;
const HeaderExtensionUri = z.enum(RTP_HEADER_EXTENSION_URIS);

export const RtpCodecCapability = z.object({
  kind: MediaKind,
  mimeType: z.string().min(3).max(64),
  preferredPayloadType: PayloadType,
  clockRate: z.number().int().positive(),
  channels: z.number().int().min(1).max(8).optional(),
  parameters: Params.optional(),
  rtcpFeedback: z.array(RtcpFeedback).max(16).optional(),
});
export const RtpHeaderExtensionCapability = z.object({
  kind: MediaKind,
  uri: HeaderExtensionUri,
  preferredId: z.number().int().min(1).max(255),
  preferredEncrypt: z.boolean().optional(),
  direction: z.enum(["sendrecv", "sendonly", "recvonly", "inactive"]).optional(),
});
/** What an endpoint can receive (the client's device caps, or the router's). */
export const RtpCapabilities = z.object({
  codecs: z.array(RtpCodecCapability).max(64).optional(),
  headerExtensions: z.array(RtpHeaderExtensionCapability).max(32).optional(),
});
export type RtpCapabilities = z.infer<typeof RtpCapabilities>;

export const RtpEncoding = z.object({
  ssrc: z.number().int().min(0).max(0xffffffff).optional(),
  rid: z.string().min(1).max(32).optional(),
  codecPayloadType: PayloadType.optional(),
  rtx: z.object({ ssrc: z.number().int().min(0).max(0xffffffff) }).optional(),
  dtx: z.boolean().optional(),
  /** SVC (e.g. "L3T3_KEY" for VP9/AV1) or temporal layers per simulcast stream ("L1T3"). */
  scalabilityMode: z.string().max(16).optional(),
  scaleResolutionDownBy: z.number().min(1).max(64).optional(),
  maxBitrate: z.number().int().positive().optional(),
  maxFramerate: z.number().positive().max(240).optional(),
});
/** What a producer sends / a consumer receives. Simulcast: several encodings with rid or ssrc. */
export const RtpParameters = z.object({
  mid: z.string().max(32).optional(),
  codecs: z
    .array(
      z.object({
        mimeType: z.string().min(3).max(64),
        payloadType: PayloadType,
        clockRate: z.number().int().positive(),
        channels: z.number().int().min(1).max(8).optional(),
        parameters: Params.optional(),
        rtcpFeedback: z.array(RtcpFeedback).max(16).optional(),
      }),
    )
    .min(1)
    .max(16),
  headerExtensions: z
    .array(
      z.object({
        uri: HeaderExtensionUri,
        id: z.number().int().min(1).max(255),
        encrypt: z.boolean().optional(),
        parameters: Params.optional(),
      }),
    )
    .max(16)
    .optional(),
  encodings: z.array(RtpEncoding).max(8).optional(),
  rtcp: z.object({ cname: z.string().max(128).optional(), reducedSize: z.boolean().optional(), mux: z.boolean().optional() }).optional(),
});
export type RtpParameters = z.infer<typeof RtpParameters>;

export const IceParameters = z.object({
  usernameFragment: z.string().min(4).max(256),
  password: z.string().min(22).max(256),
  iceLite: z.boolean().optional(),
});
export const IceCandidate = z.object({
  foundation: z.string().max(32),
  priority: z.number().int().nonnegative(),
  /** Deprecated alias of `address` that mediasoup still sends. */
  ip: z.string().max(64),
  address: z.string().max(64),
  protocol: z.enum(["udp", "tcp"]),
  port: z.number().int().min(1).max(65535),
  type: z.literal("host"),
  tcpType: z.literal("passive").optional(),
});
export const DtlsParameters = z.object({
  role: z.enum(["auto", "client", "server"]).optional(),
  fingerprints: z
    .array(
      z.object({
        algorithm: z.enum(["sha-1", "sha-224", "sha-256", "sha-384", "sha-512"]),
        value: z.string().regex(/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){15,63}$/, "fingerprint is colon-separated hex"),
      }),
    )
    .min(1)
    .max(8),
});
export type DtlsParameters = z.infer<typeof DtlsParameters>;

export const TRACK_SOURCES = ["camera", "microphone", "screen", "screenAudio"] as const;
export const TrackSource = z.enum(TRACK_SOURCES);
export type TrackSource = z.infer<typeof TrackSource>;
/** App data a producer carries: which device it comes from, plus the member that owns it. */
export const ProducerAppData = z.object({ source: TrackSource, member: MemberTag.optional() }).strict();

// ---- Requests (edge → node) and their responses -------------------------------------------------

export const EmptyBody = z.object({}).strict();

export const RouterResponse = z.object({ routerId: MediaId, rtpCapabilities: RtpCapabilities });
export type RouterResponse = z.infer<typeof RouterResponse>;

export const TRANSPORT_DIRECTIONS = ["send", "recv"] as const;
export const CreateTransportRequest = z
  .object({
    direction: z.enum(TRANSPORT_DIRECTIONS),
    member: MemberTag.optional(),
    /** Cap on what the client may send on this transport, in bits per second. */
    maxIncomingBitrate: z.number().int().min(100_000).max(50_000_000).optional(),
  })
  .strict();
export type CreateTransportRequest = z.infer<typeof CreateTransportRequest>;
export const TransportResponse = z.object({
  transportId: MediaId,
  iceParameters: IceParameters,
  iceCandidates: z.array(IceCandidate).max(16),
  dtlsParameters: DtlsParameters,
});
export type TransportResponse = z.infer<typeof TransportResponse>;

export const ConnectTransportRequest = z.object({ dtlsParameters: DtlsParameters }).strict();
export type ConnectTransportRequest = z.infer<typeof ConnectTransportRequest>;
export const RestartIceResponse = z.object({ iceParameters: IceParameters });

export const ProduceRequest = z
  .object({ kind: MediaKind, rtpParameters: RtpParameters, appData: ProducerAppData, paused: z.boolean().optional() })
  .strict();
export type ProduceRequest = z.infer<typeof ProduceRequest>;
export const ProduceResponse = z.object({ producerId: MediaId });

/** Consumers always start paused: the client resumes once its side is ready (avoids lost keyframes). */
export const ConsumeRequest = z.object({ producerId: MediaId, rtpCapabilities: RtpCapabilities }).strict();
export type ConsumeRequest = z.infer<typeof ConsumeRequest>;
export const ConsumeResponse = z.object({
  consumerId: MediaId,
  producerId: MediaId,
  kind: MediaKind,
  rtpParameters: RtpParameters,
  type: z.enum(["simple", "simulcast", "svc", "pipe"]),
  producerPaused: z.boolean(),
  appData: ProducerAppData,
});
export type ConsumeResponse = z.infer<typeof ConsumeResponse>;

export const PreferredLayersRequest = z
  .object({ spatialLayer: z.number().int().min(0).max(7), temporalLayer: z.number().int().min(0).max(7).optional() })
  .strict();
export type PreferredLayersRequest = z.infer<typeof PreferredLayersRequest>;

export const RoomSummary = z.object({
  room: NodeRoomId,
  routerId: MediaId,
  transports: z.number().int(),
  producers: z.number().int(),
  consumers: z.number().int(),
});
export type RoomSummary = z.infer<typeof RoomSummary>;

export const OkResponse = z.object({ ok: z.literal(true) });

/**
 * Every control route, relative to the node's control URL; `:room` is `encodeURIComponent(room)`.
 * Bodies are JSON; routes without a request schema take an empty body (or none).
 */
export const CONTROL_ROUTES = {
  getOrCreateRouter: { method: "POST", path: "/rooms/:room/router", request: EmptyBody, response: RouterResponse },
  roomSummary: { method: "GET", path: "/rooms/:room", request: null, response: RoomSummary },
  closeRoom: { method: "DELETE", path: "/rooms/:room", request: null, response: OkResponse },
  createTransport: { method: "POST", path: "/rooms/:room/transports", request: CreateTransportRequest, response: TransportResponse },
  connectTransport: { method: "POST", path: "/rooms/:room/transports/:id/connect", request: ConnectTransportRequest, response: OkResponse },
  restartIce: { method: "POST", path: "/rooms/:room/transports/:id/restart-ice", request: EmptyBody, response: RestartIceResponse },
  closeTransport: { method: "DELETE", path: "/rooms/:room/transports/:id", request: null, response: OkResponse },
  produce: { method: "POST", path: "/rooms/:room/transports/:id/produce", request: ProduceRequest, response: ProduceResponse },
  consume: { method: "POST", path: "/rooms/:room/transports/:id/consume", request: ConsumeRequest, response: ConsumeResponse },
  pauseProducer: { method: "POST", path: "/rooms/:room/producers/:id/pause", request: EmptyBody, response: OkResponse },
  resumeProducer: { method: "POST", path: "/rooms/:room/producers/:id/resume", request: EmptyBody, response: OkResponse },
  closeProducer: { method: "DELETE", path: "/rooms/:room/producers/:id", request: null, response: OkResponse },
  pauseConsumer: { method: "POST", path: "/rooms/:room/consumers/:id/pause", request: EmptyBody, response: OkResponse },
  resumeConsumer: { method: "POST", path: "/rooms/:room/consumers/:id/resume", request: EmptyBody, response: OkResponse },
  setPreferredLayers: {
    method: "POST",
    path: "/rooms/:room/consumers/:id/preferred-layers",
    request: PreferredLayersRequest,
    response: OkResponse,
  },
  closeConsumer: { method: "DELETE", path: "/rooms/:room/consumers/:id", request: null, response: OkResponse },
} as const;
export type ControlRouteName = keyof typeof CONTROL_ROUTES;

// ---- Node → edge: events and heartbeats -----------------------------------------------------------

const At = z.number().int().nonnegative(); // unix milliseconds
const Score = z.number().int().min(0).max(10);
const RoomEventBase = { room: NodeRoomId, at: At };

export const NodeEvent = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("producer.closed"),
    ...RoomEventBase,
    producerId: MediaId,
    member: MemberTag.optional(),
    reason: z.enum(["closed", "transport-closed", "room-closed"]),
  }),
  z.object({
    type: z.literal("consumer.closed"),
    ...RoomEventBase,
    consumerId: MediaId,
    producerId: MediaId,
    member: MemberTag.optional(),
    reason: z.enum(["closed", "producer-closed", "transport-closed", "room-closed"]),
  }),
  z.object({
    type: z.literal("transport.state"),
    ...RoomEventBase,
    transportId: MediaId,
    member: MemberTag.optional(),
    /** Which state machine moved: ICE or DTLS. */
    layer: z.enum(["ice", "dtls"]),
    state: z.enum(["new", "connecting", "connected", "completed", "disconnected", "failed", "closed"]),
  }),
  z.object({
    type: z.literal("consumer.layers"),
    ...RoomEventBase,
    consumerId: MediaId,
    layers: z.object({ spatialLayer: z.number().int().min(0), temporalLayer: z.number().int().min(0).optional() }).nullable(),
  }),
  z.object({ type: z.literal("room.activeSpeaker"), ...RoomEventBase, producerId: MediaId, member: MemberTag.optional() }),
  z.object({
    type: z.literal("producer.score"),
    ...RoomEventBase,
    producerId: MediaId,
    scores: z
      .array(z.object({ encodingIdx: z.number().int().min(0), ssrc: z.number().int(), rid: z.string().max(32).optional(), score: Score }))
      .max(8),
  }),
  z.object({ type: z.literal("consumer.score"), ...RoomEventBase, consumerId: MediaId, score: Score, producerScore: Score }),
  z.object({ type: z.literal("room.closed"), ...RoomEventBase, reason: z.enum(["closed", "empty", "worker-died", "draining"]) }),
]);
export type NodeEvent = z.infer<typeof NodeEvent>;
export type NodeEventType = NodeEvent["type"];

export const NodeEventBatch = z.object({ node: NodeId, events: z.array(NodeEvent).min(1).max(CONTROL_LIMITS.eventsPerBatch) }).strict();
export type NodeEventBatch = z.infer<typeof NodeEventBatch>;

const Count = z.number().int().nonnegative();
export const NodeLoad = z.object({
  workers: Count,
  routers: Count,
  transports: Count,
  producers: Count,
  consumers: Count,
  /** Mean worker CPU use since the previous heartbeat, 0..1 per worker (1 = one core busy). */
  cpu: z.number().min(0).max(1),
  /**
   * Bits per second the node's WebRTC transports received from clients (in) and sent to them (out),
   * over the last heartbeat interval: deltas of mediasoup's per-transport byte counters. Absent from
   * nodes older than the field.
   */
  bitrateIn: z.number().nonnegative().optional(),
  bitrateOut: z.number().nonnegative().optional(),
});
export type NodeLoad = z.infer<typeof NodeLoad>;

/**
 * Sent on start and then every few seconds; each heartbeat carries the whole registration so the
 * Fleet DO can rebuild its view from any one of them (it may have been evicted in between).
 */
export const NodeHeartbeat = z
  .object({
    node: NodeId,
    region: Region,
    /** Where the Room DO reaches this node's control API, e.g. https://media-1.example.net:4443. */
    controlUrl: z.url().max(256),
    /** The address clients send media to (ICE candidates). */
    publicAddress: z.string().min(1).max(64),
    capacity: z.object({ workers: Count, maxRooms: Count.optional() }),
    load: NodeLoad,
    /** A draining node takes no new rooms; its existing rooms close after a grace period. */
    draining: z.boolean(),
    version: z.string().max(64),
    startedAt: At,
    seq: Count,
  })
  .strict();
export type NodeHeartbeat = z.infer<typeof NodeHeartbeat>;

export const FLEET_ROUTES = { heartbeat: "/internal/fleet/heartbeat", events: "/internal/fleet/events" } as const;
