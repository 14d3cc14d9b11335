/**
 * Names the shared schemas the document refers to, so each appears once under
 * `components.schemas` and routes point at it with `$ref`, instead of being inlined everywhere.
 * The names live here, not in shared/, so the contracts stay free of OpenAPI.
 */
import { zodToOpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import {
  AppInfoSchema,
  AppUsageSchema,
  CallDetailSchema,
  CallMemberRecordSchema,
  CallSummarySchema,
  ClientInfo,
  CreatedAppSchema,
  CreatedSecretSchema,
  DeliveryLogEntrySchema,
  ErrorEnvelopeSchema,
  FleetNodeSchema,
  Grants,
  LicenceInfoSchema,
  NotifyRequest,
  QualityPointSchema,
  RecordingFileInfoSchema,
  RecordingInfoSchema,
  TrackQualitySample,
  UserSessionSchema,
  WebhookInfoSchema,
  WebhookWithSecretSchema,
} from "@parley/shared";
import type { z } from "zod";

const NAMED: Record<string, z.ZodType> = {
  Error: ErrorEnvelopeSchema,
  Licence: LicenceInfoSchema,
  Grants,
  AppInfo: AppInfoSchema,
  CreatedApp: CreatedAppSchema,
  CreatedSecret: CreatedSecretSchema,
  AppUsage: AppUsageSchema,
  UserSession: UserSessionSchema,
  FleetNode: FleetNodeSchema,
  CallSummary: CallSummarySchema,
  CallDetail: CallDetailSchema,
  CallMemberRecord: CallMemberRecordSchema,
  ClientInfo,
  QualityPoint: QualityPointSchema,
  TrackQualitySample,
  RecordingInfo: RecordingInfoSchema,
  RecordingFile: RecordingFileInfoSchema,
  WebhookInfo: WebhookInfoSchema,
  WebhookWithSecret: WebhookWithSecretSchema,
  DeliveryLogEntry: DeliveryLogEntrySchema,
  // z.json() is recursive: only a named schema lets the generator refer back to itself
  JsonValue: (NotifyRequest.shape.data as unknown as { _zod: { def: { valueType: z.ZodType } } })._zod.def.valueType,
};

let done = false;

export function nameSharedSchemas(): void {
  if (done) return;
  done = true;
  for (const [refId, schema] of Object.entries(NAMED)) {
    const current = zodToOpenAPIRegistry.get(schema) ?? {};
    zodToOpenAPIRegistry.add(schema, { ...current, _internal: { ...current._internal, refId } });
  }
}
