import * as z from "zod/mini";
import { InvalidInputError } from "../domain/errors";
import { ROLES } from "../domain/roles";
import {
  EVIDENCE_PURPOSES,
  EVIDENCE_SUBJECT_KINDS,
  EXTENSION_DECISIONS,
  IMPORT_KINDS,
  RECTIFICATION_STATUSES,
  REVIEW_DECISIONS,
  SEVERITIES,
} from "../domain/statuses";
import { MAX_WORKDAYS } from "../domain/workdays";

/**
 * Request schemas of the public API (zod/mini keeps every handler bundle small). They are also the
 * source of the OpenAPI document (lambdas/api/openapi.ts). Limits on strings and lists bound what
 * one request can make the system store or compute (OWASP API4).
 *
 * Handlers import this module as a namespace (`import * as schemas from "../../api/schemas"`) and
 * name the schemas they use: each schema is built by `schema()`, which esbuild may drop when unused,
 * so a handler's bundle builds only its own schemas at import (the OpenAPI handler builds them all).
 */

/** Builds a schema at module scope; marked free of side effects so that an unused one is tree-shaken. */
/* @__NO_SIDE_EFFECTS__ */
function schema<T>(build: () => T): T {
  return build();
}

export const id = schema(() =>
  z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(128),
      z.regex(/^[\p{L}\p{N}_.:@-]+$/u, "只能包含字母、数字和 _ . : @ -"),
    ),
);
const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
/** 整改时限 in working days (工作日): a whole number from 1 to 60. */
const workdays = () =>
  z
    .int("须为整数的工作日数")
    .check(z.gte(1, "至少 1 个工作日"), z.lte(MAX_WORKDAYS, `最多 ${MAX_WORKDAYS} 个工作日`));

/** An ISO 8601 time with its offset; at most 64 characters (the format alone allows any number of decimals). */
export const time = schema(() => z.iso.datetime({ offset: true }).check(z.maxLength(64)));
const latLng = schema(() =>
  z.object({
    lat: z.number().check(z.gte(-90), z.lte(90)),
    lng: z.number().check(z.gte(-180), z.lte(180)),
  }),
);

export const unitParams = schema(() => z.object({ unitId: id }));

export const inspectorParams = schema(() => z.object({ inspectorId: id }));

export const templateParams = schema(() => z.object({ templateId: id }));

export const entityParams = schema(() => z.object({ entityId: id }));

export const idParams = schema(() => z.object({ id }));

export const extensionRequestParams = schema(() => z.object({ id, requestId: id }));

/** `POST /rectifications/{id}/extension-requests`: 延期申请. */
export const extensionRequest = schema(() => z.object({ reason: text(2000), requestedDeadline: time }));

/** `POST /rectifications/{id}/extension-requests/{requestId}/decision`. */
export const extensionDecision = schema(() =>
  z.object({
    decision: z.enum(EXTENSION_DECISIONS),
    comment: z.string().check(z.maxLength(2000)),
    deadline: z.optional(time),
  }),
);

/** `GET /extension-requests?status=pending`: the organizers' queue (only pending requests are queued). */
export const listExtensionRequests = schema(() =>
  z.object({
    status: z.optional(z.literal("pending")),
    limit: z.optional(z.string().check(z.maxLength(3), z.regex(/^\d{1,3}$/, "1 到 200 之间的整数"))),
    cursor: z.optional(z.string().check(z.maxLength(2048))),
  }),
);

export const putUnit = schema(() =>
  z.object({
    name: text(200),
    parentId: z.optional(z.nullable(id)),
    kind: text(64),
    location: z.optional(latLng),
    radiusMeters: z.optional(z.number().check(z.gt(0), z.lte(100_000))),
  }),
);

export const putInspector = schema(() => z.object({ name: text(100), homeUnitId: id }));

/**
 * The body of `POST /templates`, and, with `name` optional (else the previous version's), of
 * `POST /templates/{templateId}/versions`.
 */
const templateBody = <Name extends z.ZodMiniType>(name: Name) =>
  z
    .object({
      name,
      items: z
        .array(
          z.object({
            code: text(64),
            title: text(500),
            maxPoints: z.number().check(z.gt(0), z.lte(1000)),
            critical: z.optional(z.boolean()),
          }),
        )
        .check(z.minLength(1), z.maxLength(200)),
      grades: z.optional(
        z
          .array(z.object({ name: text(32), minPercent: z.number().check(z.gte(0), z.lte(100)) }))
          .check(z.minLength(1), z.maxLength(10)),
      ),
    })
    .check(
      z.superRefine((t, ctx) => {
        const seen = new Set<string>();
        t.items.forEach((item, i) => {
          if (seen.has(item.code)) {
            ctx.addIssue({
              code: "custom",
              path: ["items", i, "code"],
              message: `项目编号 ${item.code} 重复`,
            });
          }
          seen.add(item.code);
        });
        const names = new Set<string>();
        (t.grades ?? []).forEach((g, i) => {
          if (names.has(g.name))
            ctx.addIssue({ code: "custom", path: ["grades", i, "name"], message: "等次重复" });
          names.add(g.name);
        });
      }),
    );

export const createTemplate = schema(() => templateBody(text(200)));

/** `POST /templates/{templateId}/versions`: the next version of a checklist (考评细则). */
export const publishTemplateVersion = schema(() => templateBody(z.optional(text(200))));

export const planSpotCheck = schema(() =>
  z
    .object({
      title: text(200),
      templateId: id,
      candidateUnitIds: z.optional(
        z.array(id).check(z.minLength(1, "至少 1 个单位"), z.maxLength(2000, "最多 2000 个单位")),
      ),
      parentUnitId: z.optional(id),
      sampleSize: z.int().check(z.gte(1, "至少抽取 1 个单位"), z.lte(90, "一次最多抽取 90 个单位")),
      inspectorIds: z.optional(
        z
          .array(id)
          .check(
            z.minLength(1, "至少 1 名督查员"),
            z.maxLength(500, "最多 500 名督查员；更大的人员库请用 inspectorPoolUnitId 按单位指定"),
          ),
      ),
      inspectorPoolUnitId: z.optional(id),
      teamSize: z.optional(z.int().check(z.gte(1), z.lte(10))),
      /** 减负: leave out units a team arrived at within this many days before the draw. */
      excludeInspectedWithinDays: z.optional(
        z.int("须为整数天数").check(z.gte(1, "至少 1 天"), z.lte(3650, "最多 3650 天（十年）")),
      ),
      window: z.object({ start: time, end: time }),
      rectifyWithinDays: z.optional(z.number().check(z.gt(0), z.lte(365))),
      rectifyWithinWorkdays: z.optional(workdays()),
      maxExtensions: z.optional(z.int().check(z.gte(0, "不能为负数"), z.lte(10, "每张整改单最多延期 10 次"))),
      escalateAfterHours: z.optional(z.number().check(z.gt(0), z.lte(24 * 365))),
    })
    .check(
      z.superRefine((s, ctx) => {
        if ((s.candidateUnitIds === undefined) === (s.parentUnitId === undefined)) {
          ctx.addIssue({
            code: "custom",
            path: ["candidateUnitIds"],
            message: "候选单位（candidateUnitIds）与上级单位（parentUnitId）须且只能给出一个",
          });
        }
        if ((s.inspectorIds === undefined) === (s.inspectorPoolUnitId === undefined)) {
          ctx.addIssue({
            code: "custom",
            path: ["inspectorIds"],
            message: "督查员（inspectorIds）与督查员所在单位（inspectorPoolUnitId）须且只能给出一个",
          });
        }
      }),
    ),
);

/** `capturedAt`: the device's time of capture, for an arrival recorded offline and sent later. */
export const arrival = schema(() => z.object({ location: latLng, capturedAt: z.optional(time) }));

/** Ids of verified evidence; more than 20 is refused by the rules (422), with the limit named. */
const evidenceIds = () => z.optional(z.array(id).check(z.maxLength(100)));

/**
 * `POST /evidence`. The type and size are checked against the rules (422, before any URL is
 * issued), not here: a type not accepted is valid input that the rules refuse. `capturedAt` and
 * `location` are what the device read from the original photo's EXIF before shrinking it; the
 * stored file's own EXIF wins when it has one.
 */
export const createEvidence = schema(() =>
  z.object({
    subject: z.object({ kind: z.enum(EVIDENCE_SUBJECT_KINDS), id }),
    purpose: z.enum(EVIDENCE_PURPOSES),
    fileName: text(200),
    contentType: text(100),
    size: z.int().check(z.gte(1), z.lte(Number.MAX_SAFE_INTEGER)),
    capturedAt: z.optional(time),
    location: z.optional(latLng),
  }),
);

/** `GET /evidence?subjectKind=&subjectId=`: a subject's photos and documents. */
export const listEvidence = schema(() =>
  z.object({
    subjectKind: z.enum(EVIDENCE_SUBJECT_KINDS),
    subjectId: id,
    limit: z.optional(z.string().check(z.maxLength(3), z.regex(/^\d{1,3}$/, "1 到 200 之间的整数"))),
    cursor: z.optional(z.string().check(z.maxLength(2048))),
  }),
);

export const findings = schema(() =>
  z.object({
    items: z
      .array(
        z.object({
          code: text(64),
          deduction: z.number(),
          note: z.optional(z.string().check(z.maxLength(2000))),
          evidenceIds: evidenceIds(),
        }),
      )
      .check(z.maxLength(200)),
    issues: z
      .array(
        z.object({
          itemCode: z.optional(text(64)),
          description: text(2000),
          severity: z.enum(SEVERITIES),
          deadline: z.optional(time),
          rectifyWithinWorkdays: z.optional(workdays()),
          rectifyWithinDays: z.optional(z.number().check(z.gt(0), z.lte(365))),
          evidenceIds: evidenceIds(),
        }),
      )
      .check(z.maxLength(20)),
    /** The device's time of capture (offline capture); the working days count from its day. */
    capturedAt: z.optional(time),
  }),
);

export const report = schema(() =>
  z.object({
    description: text(5000),
    evidence: z.optional(
      z
        .array(
          z.union([
            z.string().check(z.maxLength(2000)),
            z.record(z.string().check(z.maxLength(64)), z.unknown()),
          ]),
        )
        .check(z.maxLength(20)),
    ),
    evidenceIds: evidenceIds(),
  }),
);

export const review = schema(() =>
  z
    .object({
      decision: z.enum(REVIEW_DECISIONS),
      comment: z.string().check(z.maxLength(2000)),
      deadline: z.optional(time),
      evidenceIds: evidenceIds(),
    })
    .check(
      z.superRefine((r, ctx) => {
        if (r.decision === "reject" && r.deadline === undefined) {
          ctx.addIssue({ code: "custom", path: ["deadline"], message: "退回整改须给出新的期限" });
        }
      }),
    ),
);

export const page = schema(() =>
  z.object({
    limit: z.optional(z.string().check(z.maxLength(3), z.regex(/^\d{1,3}$/, "1 到 200 之间的整数"))),
    cursor: z.optional(z.string().check(z.maxLength(2048))),
  }),
);

/** `GET /dashboard?spotCheckId=`: the same figures for the orders of one spot check. */
export const dashboardQuery = schema(() => z.object({ spotCheckId: z.optional(id) }));

export const templateQuery = schema(() =>
  z.object({
    version: z.optional(z.string().check(z.maxLength(6), z.regex(/^[1-9]\d{0,5}$/, "版本号"))),
  }),
);

export const listUnits = schema(() =>
  z.object({
    parentId: z.optional(id),
    limit: z.optional(z.string().check(z.maxLength(3), z.regex(/^\d{1,3}$/, "1 到 200 之间的整数"))),
    cursor: z.optional(z.string().check(z.maxLength(2048))),
  }),
);

export const listRectifications = schema(() =>
  z.object({
    status: z.optional(z.enum(RECTIFICATION_STATUSES)),
    unitId: z.optional(id),
    overdue: z.optional(z.enum(["true", "false"])),
    limit: z.optional(z.string().check(z.maxLength(3), z.regex(/^\d{1,3}$/, "1 到 200 之间的整数"))),
    cursor: z.optional(z.string().check(z.maxLength(2048))),
  }),
);

/** `?limit=` (default 50, 1–200) and `?cursor=`. */
export function pageOf(query: { limit?: string | undefined; cursor?: string | undefined }): {
  limit: number;
  cursor: string | undefined;
} {
  const limit = query.limit === undefined ? 50 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
    throw new InvalidInputError("每页条数（limit）须为 1 到 200 之间的整数。", [
      { path: "query.limit", message: "1 到 200 之间的整数" },
    ]);
  }
  return { limit, cursor: query.cursor };
}

const role = () => z.enum(ROLES);
const roles = () =>
  z.array(role()).check(
    z.minLength(1),
    z.maxLength(5),
    z.refine((r) => new Set(r).size === r.length, "角色重复"),
  );
const username = () =>
  z
    .string()
    .check(z.trim(), z.maxLength(64), z.regex(/^[\p{L}\p{N}._@-]{2,64}$/u, "2 到 64 个字母、数字或 . _ @ -"));

/** `POST /people`. */
export const createPerson = schema(() =>
  z.object({
    name: text(100),
    phone: z.optional(z.string().check(z.maxLength(32))),
    username: username(),
    roles: roles(),
    unitId: z.optional(id),
    homeUnitId: z.optional(id),
  }),
);

/** `PATCH /people/{personId}`: any of the fields; null clears phone, unitId or homeUnitId. */
export const updatePerson = schema(() =>
  z.object({
    name: z.optional(text(100)),
    phone: z.optional(z.nullable(z.string().check(z.maxLength(32)))),
    roles: z.optional(roles()),
    unitId: z.optional(z.nullable(id)),
    homeUnitId: z.optional(z.nullable(id)),
    enabled: z.optional(z.boolean()),
  }),
);

export const personParams = schema(() => z.object({ personId: id }));

/** `GET /people?role=&unitId=`. */
export const listPeople = schema(() =>
  z.object({
    role: z.optional(role()),
    unitId: z.optional(id),
    limit: z.optional(z.string().check(z.maxLength(3), z.regex(/^\d{1,3}$/, "1 到 200 之间的整数"))),
    cursor: z.optional(z.string().check(z.maxLength(2048))),
  }),
);

/**
 * `POST /imports`. Name, type and size are checked against the rules (422, before any URL is
 * issued); `size` is optional (the contract does not ask for it): given, it is signed into the
 * upload URL, and a file over 10 MiB is refused either way.
 */
export const createImport = schema(() =>
  z.object({
    kind: z.enum(IMPORT_KINDS),
    fileName: text(200),
    contentType: text(100),
    size: z.optional(z.int().check(z.gte(1), z.lte(Number.MAX_SAFE_INTEGER))),
  }),
);

export const importParams = schema(() => z.object({ importId: id }));

export const importTemplateParams = schema(() => z.object({ kind: z.enum(IMPORT_KINDS) }));
