import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routes } from "../../lambdas/api/routes";
import type { LocalSystem } from "../../lib/local/system";
import { Api, type Client, isoIn } from "../support/api";
import { tempDataDir } from "../support/local";
import { buildWorld, drawOne, spotCheckBody, type World } from "../support/scenario";
import { startTestSystem } from "../support/system";

/**
 * Who may do what (OWASP API1 BOLA, API3 BOPLA, API5 BFLA): every route of API.md × every caller,
 * each row the status API.md calls for. `ok` means the caller got past authorization (any 2xx, or
 * the 409/422 of a step already taken). A route without rows fails the suite.
 */
type Caller =
  | "anonymous"
  | "admin"
  | "organizer"
  | "official"
  | "team"
  | "outsider"
  | "unitOwn"
  | "unitOther"
  | "unitSecret";
type Expect = number | "ok";
type Row = { path: string; body?: unknown; expect: Partial<Record<Caller, Expect>> & { default: Expect } };

const CALLERS: Caller[] = [
  "anonymous",
  "admin",
  "organizer",
  "official",
  "team",
  "outsider",
  "unitOwn",
  "unitOther",
  "unitSecret",
];

let system: LocalSystem;
let world: World;
let clients: Record<Caller, Client>;
let ids: {
  spotCheck: string;
  arrived: string;
  secret: string;
  order: string;
  team: string;
  unitOwn: string;
  evidence: string;
  person: string;
  adminImport: string;
  organizerImport: string;
};

beforeAll(async () => {
  const dataDir = tempDataDir("matrix");
  system = await startTestSystem({ dataDir });
  const api = new Api(system.url, dataDir);
  world = await buildWorld(api, "m");
  const arrived = await drawOne(world, { candidateUnitIds: [world.units.yatai] });
  const team = world.inspectorFor(arrived.assignment);
  await team.post(`/assignments/${arrived.assignment.assignmentId}/arrival`, {
    location: { lat: 34.7, lng: 113.7 },
  });
  const findings = await team.post(`/assignments/${arrived.assignment.assignmentId}/findings`, {
    items: [{ code: "A1", deduction: 2 }],
    issues: [{ description: "健康档案不全", severity: "minor" }],
  });
  // Staffed by the one inspector who plays no caller here, so only overseers may see it.
  const secret = await drawOne(world, {
    candidateUnitIds: [world.units.dongjia],
    inspectorIds: [`${world.prefix}-insp-minghu`],
    teamSize: 1,
  });
  const photo = await team.post("/evidence", {
    subject: { kind: "assignment", id: arrived.assignment.assignmentId },
    purpose: "finding",
    fileName: "问题照片.jpg",
    contentType: "image/jpeg",
    size: 1000,
  });
  const person = await world.admin.post("/people", {
    name: "矩阵督查员",
    username: "m-matrix-inspector",
    roles: ["inspector"],
    homeUnitId: world.units.airport,
  });
  const importBody = { kind: "people", fileName: "人员.xlsx", contentType: XLSX };
  const adminImport = await world.admin.post("/imports", importBody);
  const organizerImport = await world.organizer.post("/imports", importBody);
  const outsiderId = Object.keys(world.inspectors).find(
    (id) => !arrived.assignment.inspectorIds.includes(id) && !id.endsWith("minghu"),
  );
  ids = {
    spotCheck: arrived.spotCheckId,
    arrived: arrived.assignment.assignmentId,
    secret: secret.assignment.assignmentId,
    order: (findings.body.rectificationIds as string[])[0] as string,
    team: arrived.assignment.inspectorIds[0] as string,
    unitOwn: world.units.yatai,
    evidence: photo.body.evidenceId as string,
    person: person.body.personId as string,
    adminImport: adminImport.body.importId as string,
    organizerImport: organizerImport.body.importId as string,
  };
  clients = {
    anonymous: api.anonymous(),
    admin: world.admin,
    organizer: world.organizer,
    official: world.official,
    team,
    outsider: world.inspectors[outsiderId as string] as Client,
    unitOwn: await world.unitUser(world.units.yatai),
    unitOther: await world.unitUser(world.units.jiangchong),
    unitSecret: await world.unitUser(world.units.dongjia),
  };
});

afterAll(async () => {
  await system?.stop();
});

const planners = { admin: "ok", organizer: "ok" } as const;
const overseers = { admin: "ok", organizer: "ok", official: "ok" } as const;
/** A document of an unknown id: 404 for the roles that may have it, 403 for every other role. */
const unknownDocument = { anonymous: 401, admin: 404, organizer: 404, official: 404, default: 403 } as const;
/** Overseers see every subject but take no photos of a team's or a unit's own. */
const notTheirs = { admin: 403, organizer: 403, official: 403 } as const;

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

function evidenceBody(kind: string, id: string, purpose: string) {
  return { subject: { kind, id }, purpose, fileName: "照片.jpg", contentType: "image/jpeg", size: 1000 };
}

function rows(): Record<string, Row[]> {
  const signedIn: Row["expect"] = { anonymous: 401, default: "ok" };
  const plannersOnly: Row["expect"] = { anonymous: 401, ...planners, default: 403 };
  const secretToNonOverseers: Row["expect"] = { anonymous: 401, ...overseers, default: 404 };
  return {
    "GET /health": [{ path: "/health", expect: { default: 200 } }],
    "GET /openapi.json": [{ path: "/openapi.json", expect: { default: 200 } }],
    "PUT /units/{unitId}": [
      {
        path: "/units/m-matrix-unit",
        body: { name: "矩阵网格", parentId: world.units.yatai, kind: "grid" },
        expect: plannersOnly,
      },
    ],
    "GET /units/{unitId}": [{ path: `/units/${world.units.yatai}`, expect: signedIn }],
    "GET /units": [{ path: `/units?parentId=${world.units.district}`, expect: signedIn }],
    "PUT /inspectors/{inspectorId}": [
      {
        path: "/inspectors/m-matrix-insp",
        body: { name: "矩阵", homeUnitId: world.units.airport },
        expect: plannersOnly,
      },
    ],
    "GET /inspectors/{inspectorId}": [
      { path: `/inspectors/${ids.team}`, expect: { anonymous: 401, ...overseers, team: "ok", default: 404 } },
    ],
    "POST /templates": [
      {
        path: "/templates",
        body: { name: "矩阵细则", items: [{ code: "X", title: "x", maxPoints: 1 }] },
        expect: plannersOnly,
      },
    ],
    "GET /templates/{templateId}": [{ path: `/templates/${world.templateId}`, expect: signedIn }],
    "GET /templates": [{ path: "/templates", expect: signedIn }],
    "POST /templates/{templateId}/versions": [
      {
        path: `/templates/${world.templateId}/versions`,
        body: { items: [{ code: "A1", title: "员工健康动态管理档案", maxPoints: 20 }] },
        expect: plannersOnly,
      },
    ],
    "GET /inspectors": [{ path: "/inspectors", expect: { anonymous: 401, ...overseers, default: 403 } }],
    "GET /spot-checks": [{ path: "/spot-checks", expect: { anonymous: 401, ...overseers, default: 403 } }],
    "POST /spot-checks": [{ path: "/spot-checks", body: spotCheckBody(world), expect: plannersOnly }],
    "POST /spot-checks/{id}/draw": [
      {
        path: `/spot-checks/${ids.spotCheck}/draw`,
        expect: { anonymous: 401, admin: 409, organizer: 409, official: 403, default: 404 },
      },
    ],
    "GET /spot-checks/{id}": [{ path: `/spot-checks/${ids.spotCheck}`, expect: secretToNonOverseers }],
    "GET /spot-checks/{id}/draw-proof": [
      { path: `/spot-checks/${ids.spotCheck}/draw-proof`, expect: secretToNonOverseers },
    ],
    "GET /spot-checks/{id}/bulletin": [
      { path: `/spot-checks/${ids.spotCheck}/bulletin`, expect: secretToNonOverseers },
    ],
    // Documents: a role check first (403 for any id, so nothing is confirmed), then 404 for an unknown id.
    "GET /spot-checks/{id}/bulletin.docx": [
      {
        path: `/spot-checks/${ids.spotCheck}/bulletin.docx`,
        expect: { anonymous: 401, ...overseers, default: 403 },
      },
      { path: "/spot-checks/no-such-spot-check/bulletin.docx", expect: unknownDocument },
    ],
    "GET /spot-checks/{id}/bulletin.pdf": [
      {
        path: `/spot-checks/${ids.spotCheck}/bulletin.pdf`,
        expect: { anonymous: 401, ...overseers, default: 403 },
      },
      { path: "/spot-checks/no-such-spot-check/bulletin.pdf", expect: unknownDocument },
    ],
    "GET /assignments": [{ path: "/assignments", expect: signedIn }],
    "GET /assignments/{id}": [
      {
        path: `/assignments/${ids.arrived}`,
        expect: { anonymous: 401, ...overseers, team: "ok", unitOwn: "ok", default: 404 },
      },
      { path: `/assignments/${ids.secret}`, expect: { anonymous: 401, ...overseers, default: 404 } },
      { path: "/assignments/no-such-assignment", expect: { anonymous: 401, default: 404 } },
    ],
    "GET /assignments/{id}/evidence-pack": [
      {
        path: `/assignments/${ids.arrived}/evidence-pack`,
        expect: { anonymous: 401, ...overseers, default: 403 },
      },
      {
        path: `/assignments/${ids.secret}/evidence-pack`,
        expect: { anonymous: 401, ...overseers, default: 403 },
      },
      { path: "/assignments/no-such-assignment/evidence-pack", expect: unknownDocument },
    ],
    "POST /assignments/{id}/arrival": [
      {
        path: `/assignments/${ids.arrived}/arrival`,
        body: { location: { lat: 34.7, lng: 113.7 } },
        expect: {
          anonymous: 401,
          ...{ admin: 403, organizer: 403, official: 403 },
          team: 409,
          unitOwn: 403,
          default: 404,
        },
      },
      {
        path: `/assignments/${ids.secret}/arrival`,
        body: { location: { lat: 34.7, lng: 113.7 } },
        expect: { anonymous: 401, admin: 403, organizer: 403, official: 403, default: 404 },
      },
    ],
    "POST /assignments/{id}/findings": [
      {
        path: `/assignments/${ids.arrived}/findings`,
        body: { items: [], issues: [] },
        expect: {
          anonymous: 401,
          admin: 403,
          organizer: 403,
          official: 403,
          team: 409,
          unitOwn: 403,
          default: 404,
        },
      },
    ],
    "GET /rectifications": [{ path: "/rectifications", expect: signedIn }],
    "GET /rectifications/{id}": [
      {
        path: `/rectifications/${ids.order}`,
        expect: { anonymous: 401, ...overseers, team: "ok", unitOwn: "ok", default: 404 },
      },
    ],
    "POST /rectifications/{id}/report": [
      {
        path: `/rectifications/${ids.order}/report`,
        body: { description: "已整改" },
        expect: {
          anonymous: 401,
          admin: 403,
          organizer: 403,
          official: 403,
          team: 403,
          unitOwn: 200,
          default: 404,
        },
      },
    ],
    "POST /rectifications/{id}/review": [
      {
        path: `/rectifications/${ids.order}/review`,
        body: { decision: "reject", comment: "不到位", deadline: isoIn(86400_000) },
        expect: {
          anonymous: 401,
          admin: "ok",
          organizer: "ok",
          team: "ok",
          official: 403,
          unitOwn: 403,
          default: 404,
        },
      },
    ],
    // After the review above reopened the order with a new deadline: its unit asks for a later one
    // (the request is numbered within the order: the first is `<order>-E1`), an organizer decides.
    "POST /rectifications/{id}/extension-requests": [
      {
        path: `/rectifications/${ids.order}/extension-requests`,
        body: { reason: "需要外购设备", requestedDeadline: isoIn(30 * 86400_000) },
        expect: {
          anonymous: 401,
          admin: 403,
          organizer: 403,
          official: 403,
          team: 403,
          unitOwn: 201,
          default: 404,
        },
      },
    ],
    "GET /extension-requests": [
      {
        path: "/extension-requests?status=pending",
        expect: { anonymous: 401, admin: "ok", organizer: "ok", default: 403 },
      },
    ],
    "POST /rectifications/{id}/extension-requests/{requestId}/decision": [
      {
        path: `/rectifications/${ids.order}/extension-requests/${ids.order}-E1/decision`,
        body: { decision: "approve", comment: "同意" },
        expect: {
          anonymous: 401,
          admin: "ok",
          organizer: "ok",
          official: 403,
          team: 403,
          unitOwn: 403,
          default: 404,
        },
      },
    ],
    "POST /evidence": [
      {
        path: "/evidence",
        body: evidenceBody("assignment", ids.arrived, "finding"),
        expect: { anonymous: 401, ...notTheirs, team: "ok", unitOwn: 403, default: 404 },
      },
      {
        path: "/evidence",
        body: evidenceBody("assignment", ids.secret, "finding"),
        expect: { anonymous: 401, ...notTheirs, default: 404 },
      },
      {
        path: "/evidence",
        body: evidenceBody("rectification", ids.order, "after"),
        expect: { anonymous: 401, ...notTheirs, team: 403, unitOwn: "ok", default: 404 },
      },
      {
        path: "/evidence",
        body: evidenceBody("rectification", ids.order, "review"),
        expect: { anonymous: 401, ...planners, official: 403, team: "ok", unitOwn: 403, default: 404 },
      },
    ],
    "GET /evidence/{id}": [
      {
        path: `/evidence/${ids.evidence}`,
        expect: { anonymous: 401, ...overseers, team: "ok", unitOwn: "ok", default: 404 },
      },
      { path: "/evidence/no-such-evidence", expect: { anonymous: 401, default: 404 } },
    ],
    "GET /evidence": [
      {
        path: `/evidence?subjectKind=assignment&subjectId=${ids.arrived}`,
        expect: { anonymous: 401, ...overseers, team: "ok", unitOwn: "ok", default: 404 },
      },
      {
        path: `/evidence?subjectKind=assignment&subjectId=${ids.secret}`,
        expect: { anonymous: 401, ...overseers, default: 404 },
      },
      {
        path: `/evidence?subjectKind=rectification&subjectId=${ids.order}`,
        expect: { anonymous: 401, ...overseers, team: "ok", unitOwn: "ok", default: 404 },
      },
    ],
    "POST /people": [
      {
        path: "/people",
        body: {
          name: "新督查员",
          username: "m-new-inspector",
          roles: ["inspector"],
          homeUnitId: world.units.airport,
        },
        expect: plannersOnly,
      },
      {
        path: "/people",
        body: { name: "新领导", username: "m-new-official", roles: ["official"] },
        expect: { anonymous: 401, admin: "ok", default: 403 },
      },
    ],
    "GET /people": [
      { path: "/people", expect: plannersOnly },
      { path: "/people?role=official", expect: { anonymous: 401, admin: "ok", default: 403 } },
    ],
    "GET /people/{personId}": [{ path: `/people/${ids.person}`, expect: plannersOnly }],
    "PATCH /people/{personId}": [
      { path: `/people/${ids.person}`, body: { name: "矩阵督查员甲" }, expect: plannersOnly },
    ],
    "POST /people/{personId}/reset-password": [
      { path: `/people/${ids.person}/reset-password`, expect: plannersOnly },
    ],
    "POST /imports": [
      {
        path: "/imports",
        body: { kind: "people", fileName: "人员.xlsx", contentType: XLSX },
        expect: plannersOnly,
      },
      {
        path: "/imports",
        body: { kind: "units", fileName: "单位.csv", contentType: "text/csv" },
        expect: { anonymous: 401, admin: "ok", default: 403 },
      },
    ],
    "GET /imports/{importId}": [
      // The importer's and any admin's; no one else learns it exists.
      { path: `/imports/${ids.adminImport}`, expect: { anonymous: 401, admin: "ok", default: 404 } },
      { path: `/imports/${ids.organizerImport}`, expect: { anonymous: 401, ...planners, default: 404 } },
      { path: "/imports/no-such-import", expect: { anonymous: 401, default: 404 } },
    ],
    "GET /imports/templates/{kind}": [
      { path: "/imports/templates/units", expect: { anonymous: 401, admin: 200, default: 403 } },
      {
        path: "/imports/templates/people",
        expect: { anonymous: 401, admin: 200, organizer: 200, default: 403 },
      },
    ],
    "GET /dashboard": [{ path: "/dashboard", expect: { anonymous: 401, ...overseers, default: 403 } }],
    "GET /dashboard.xlsx": [
      { path: "/dashboard.xlsx", expect: { anonymous: 401, ...overseers, default: 403 } },
    ],
    "GET /audit/{entityId}": [
      { path: `/audit/${ids.arrived}`, expect: { anonymous: 401, ...overseers, default: 403 } },
    ],
    "GET /me/notifications": [{ path: "/me/notifications", expect: signedIn }],
  };
}

describe("authorization matrix", () => {
  it("has rows for every route of the API", () => {
    expect(Object.keys(rows()).sort()).toEqual(routes.map((r) => r.routeKey).sort());
  });

  it("answers each route × caller as API.md says, and never with a 5xx", async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const [routeKey, routeRows] of Object.entries(rows())) {
      const method = routeKey.split(" ")[0] as string;
      for (const row of routeRows) {
        // Callers that must be refused go first, so a permitted write cannot change what they see.
        const order = [...CALLERS].sort(
          (a, b) =>
            Number(
              (row.expect[a] ?? row.expect.default) === "ok" || (row.expect[a] ?? row.expect.default) === 200,
            ) -
            Number(
              (row.expect[b] ?? row.expect.default) === "ok" || (row.expect[b] ?? row.expect.default) === 200,
            ),
        );
        for (const caller of order) {
          const expected = row.expect[caller] ?? row.expect.default;
          const res = await clients[caller].request(
            method,
            row.path,
            method === "GET" ? undefined : (row.body ?? {}),
          );
          checked++;
          const ok =
            expected === "ok"
              ? res.status < 500 && ![401, 403, 404].includes(res.status)
              : res.status === expected;
          if (!ok)
            failures.push(
              `${routeKey} ${row.path} as ${caller}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`,
            );
          if (res.status >= 400) expect(res.contentType).toContain("application/problem+json");
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(routes.length * CALLERS.length);
    console.log(
      `authorization matrix: ${checked} route × caller checks over ${routes.length} routes and ${CALLERS.length} callers`,
    );
  });
});
