import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalSystem } from "../../lib/local/system";
import { Api, Client } from "../support/api";
import { tempDataDir } from "../support/local";
import { buildWorld, type World } from "../support/scenario";
import { startTestSystem } from "../support/system";

/**
 * People and sign-in: accounts made through the people routes in the local user pool, signed in
 * with the same Cognito SDK calls the console makes. A wrong password, a disabled person and an
 * unchanged temporary password fail as they do in the cloud; every change is audited.
 */
let system: LocalSystem;
let world: World;
let cognito: CognitoIdentityProviderClient;

const NEW_PASSWORD = "Zhengzhou#2026-ok";

beforeAll(async () => {
  const dataDir = tempDataDir("people");
  system = await startTestSystem({ dataDir });
  world = await buildWorld(new Api(system.url, dataDir), "pp");
  // The console's own client: no credentials needed for sign-in.
  cognito = new CognitoIdentityProviderClient({
    endpoint: system.identity.endpoint,
    region: "local",
    credentials: { accessKeyId: "anonymous", secretAccessKey: "anonymous" },
  });
});

afterAll(async () => {
  await system?.stop();
});

async function signIn(username: string, password: string) {
  return cognito.send(
    new InitiateAuthCommand({
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: system.identity.clientId,
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );
}

/** First sign-in: the temporary password, then the forced new one; returns the tokens. */
async function firstSignIn(username: string, temporary: string, newPassword = NEW_PASSWORD) {
  const challenge = await signIn(username, temporary);
  expect(challenge.ChallengeName).toBe("NEW_PASSWORD_REQUIRED");
  const out = await cognito.send(
    new RespondToAuthChallengeCommand({
      ClientId: system.identity.clientId,
      ChallengeName: "NEW_PASSWORD_REQUIRED",
      Session: challenge.Session,
      ChallengeResponses: { USERNAME: username, NEW_PASSWORD: newPassword },
    }),
  );
  return out.AuthenticationResult;
}

async function refusal(p: Promise<unknown>) {
  try {
    await p;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error("expected a refusal");
}

describe("accounts and sign-in", () => {
  let unitPerson: { personId: string; username: string; temporaryPassword: string };

  it("an admin creates a unit's person; the first sign-in forces a new password that meets the policy", async () => {
    const created = await world.admin.post("/people", {
      name: "王主任",
      phone: "138 0000 1234",
      username: "wang.yatai",
      roles: ["unit"],
      unitId: world.units.yatai,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: "wang.yatai", phone: "+8613800001234", enabled: true });
    expect(created.body.temporaryPassword).toMatch(/^.{12,}$/);
    unitPerson = created.body;

    expect(await refusal(signIn("wang.yatai", "Wrong#password1"))).toMatchObject({
      name: "NotAuthorizedException",
    });
    // An unknown user is told the same as a wrong password.
    expect(await refusal(signIn("nobody.here", "Wrong#password1"))).toEqual(
      await refusal(signIn("wang.yatai", "Wrong#password1")),
    );
    const challenge = await signIn("wang.yatai", unitPerson.temporaryPassword);
    expect(challenge.ChallengeName).toBe("NEW_PASSWORD_REQUIRED");
    const weak = await refusal(
      cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: system.identity.clientId,
          ChallengeName: "NEW_PASSWORD_REQUIRED",
          Session: challenge.Session,
          ChallengeResponses: { USERNAME: "wang.yatai", NEW_PASSWORD: "short" },
        }),
      ),
    );
    expect(weak.name).toBe("InvalidPasswordException");
    // A made-up session sets nothing.
    const forged = await refusal(
      cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: system.identity.clientId,
          ChallengeName: "NEW_PASSWORD_REQUIRED",
          Session: "made-up",
          ChallengeResponses: { USERNAME: "wang.yatai", NEW_PASSWORD },
        }),
      ),
    );
    expect(forged.name).toBe("NotAuthorizedException");

    const tokens = await firstSignIn("wang.yatai", unitPerson.temporaryPassword);
    const claims = decodeJwt(tokens?.IdToken ?? "");
    expect(claims).toMatchObject({
      sub: unitPerson.personId,
      "cognito:groups": ["unit"],
      "custom:unitId": world.units.yatai,
      name: "王主任",
      aud: system.identity.clientId,
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBeLessThanOrEqual(300);

    // The token is accepted by the API like any other, with the person's unit.
    const asUnit = new Client(system.url, tokens?.IdToken);
    expect((await asUnit.get("/me/notifications")).status).toBe(200);
    expect((await asUnit.get(`/people/${unitPerson.personId}`)).body.name).toBe("王主任");
    // The temporary password is spent.
    expect((await refusal(signIn("wang.yatai", unitPerson.temporaryPassword))).name).toBe(
      "NotAuthorizedException",
    );
    expect((await signIn("wang.yatai", NEW_PASSWORD)).AuthenticationResult?.IdToken).toBeTruthy();
  });

  it("a token the pool did not sign, or for another audience, is refused by the gateway", async () => {
    const claims = decodeJwt(
      (await world.admin.get("/me/notifications")).status === 200 ? (world.admin.bearer ?? "") : "",
    );
    expect(claims.iss).toBe(system.identity.issuer);
    const [header, payload] = (world.admin.bearer ?? "").split(".");
    const tampered = `${header}.${payload}.${"A".repeat(342)}`;
    expect((await new Client(system.url, tampered).get("/me/notifications")).status).toBe(401);
  });

  it("a disabled person can neither sign in nor renew, and a reset password must be changed again", async () => {
    const first = await signIn("wang.yatai", NEW_PASSWORD);
    const refreshToken = first.AuthenticationResult?.RefreshToken ?? "";
    const renewed = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: "REFRESH_TOKEN_AUTH",
        ClientId: system.identity.clientId,
        AuthParameters: { REFRESH_TOKEN: refreshToken },
      }),
    );
    expect(renewed.AuthenticationResult?.IdToken).toBeTruthy();

    const disabled = await world.admin.request("PATCH", `/people/${unitPerson.personId}`, { enabled: false });
    expect(disabled.status).toBe(200);
    expect(disabled.body.enabled).toBe(false);
    expect(await refusal(signIn("wang.yatai", NEW_PASSWORD))).toMatchObject({
      name: "NotAuthorizedException",
      message: "User is disabled.",
    });
    const refresh = await refusal(
      cognito.send(
        new InitiateAuthCommand({
          AuthFlow: "REFRESH_TOKEN_AUTH",
          ClientId: system.identity.clientId,
          AuthParameters: { REFRESH_TOKEN: refreshToken },
        }),
      ),
    );
    expect(refresh.name).toBe("NotAuthorizedException");

    await world.admin.request("PATCH", `/people/${unitPerson.personId}`, { enabled: true });
    const reset = await world.admin.post(`/people/${unitPerson.personId}/reset-password`);
    expect(reset.status).toBe(200);
    expect((await refusal(signIn("wang.yatai", NEW_PASSWORD))).name).toBe("NotAuthorizedException");
    await firstSignIn("wang.yatai", reset.body.temporaryPassword, "Another#Pass-2026");

    const audit = await world.admin.get(`/audit/${unitPerson.personId}`);
    expect(audit.body.items.map((i: { action: string }) => i.action)).toEqual([
      "person_created",
      "person_disabled",
      "person_enabled",
      "password_reset",
    ]);
    expect(audit.body.chain).toEqual({ verified: true });
  });
});

describe("who manages whom", () => {
  it("organizers create, list and change inspectors only; an inspector gets the profile the draw uses", async () => {
    const inspector = await world.organizer.post("/people", {
      name: "李督查",
      username: "li.duchayuan",
      roles: ["inspector"],
      homeUnitId: world.units.airport,
    });
    expect(inspector.status).toBe(201);
    const profile = await world.organizer.get(`/inspectors/${inspector.body.personId}`);
    expect(profile.body).toMatchObject({ name: "李督查", homeUnitId: world.units.airport });

    const official = await world.organizer.post("/people", {
      name: "张领导",
      username: "zhang.lingdao",
      roles: ["official"],
    });
    expect(official.status).toBe(403);
    expect(official.body.detail).toMatch(/督查员/);
    const twoRoles = await world.organizer.post("/people", {
      name: "赵",
      username: "zhao.two",
      roles: ["inspector", "organizer"],
      homeUnitId: world.units.airport,
    });
    expect(twoRoles.status).toBe(403);

    const unitPersonId = (await world.admin.get("/people?role=unit")).body.items[0].personId;
    expect((await world.organizer.get(`/people/${unitPersonId}`)).status).toBe(403);
    expect((await world.organizer.get("/people?role=unit")).status).toBe(403);
    const listed = await world.organizer.get("/people");
    expect(listed.body.items.map((p: { username: string }) => p.username)).toEqual(["li.duchayuan"]);
    const promote = await world.organizer.request("PATCH", `/people/${inspector.body.personId}`, {
      roles: ["inspector", "official"],
    });
    expect(promote.status).toBe(403);
    const moved = await world.organizer.request("PATCH", `/people/${inspector.body.personId}`, {
      homeUnitId: world.units.minghu,
    });
    expect(moved.status).toBe(200);
    expect((await world.organizer.get(`/inspectors/${inspector.body.personId}`)).body.homeUnitId).toBe(
      world.units.minghu,
    );
    expect((await world.admin.get(`/people?unitId=${world.units.minghu}`)).body.items).toHaveLength(1);
  });

  it("refuses a taken username, a unit role without a unit, an unknown unit and a malformed phone", async () => {
    const taken = await world.admin.post("/people", {
      name: "重名",
      username: "WANG.yatai",
      roles: ["official"],
    });
    expect(taken.status).toBe(409);
    expect(taken.body.detail).toMatch(/已被使用/);
    const bad = await world.admin.post("/people", {
      name: "缺单位",
      phone: "12345",
      username: "no.unit",
      roles: ["unit", "inspector"],
      homeUnitId: "no-such-unit",
    });
    expect(bad.status).toBe(422);
    const messages = Object.fromEntries(
      bad.body.errors.map((e: { path: string; message: string }) => [e.path, e.message]),
    );
    expect(messages).toMatchObject({
      "body.unitId": expect.stringMatching(/所属单位/),
      "body.phone": expect.stringMatching(/手机号/),
      "body.homeUnitId": "没有这个单位",
    });
    expect((await world.admin.get("/people?role=unit")).body.items).toHaveLength(1);
  });
});

describe("pools given by unit (双随机 from an organisation's own staff)", () => {
  it("takes every enabled inspector under the unit, and names every limit a request exceeds", async () => {
    const make = async (username: string, home: string) =>
      (
        await world.organizer.post("/people", {
          name: `督查员${username}`,
          username,
          roles: ["inspector"],
          homeUnitId: home,
        })
      ).body.personId as string;
    const underJiulong = await make("pool.jiulong", world.units.jiulong);
    const underDongjia = await make("pool.dongjia", world.units.dongjia);
    const disabled = await make("pool.disabled", world.units.dongjia);
    await world.organizer.request("PATCH", `/people/${disabled}`, { enabled: false });

    const body = {
      title: "九龙办事处交叉督查",
      templateId: world.templateId,
      candidateUnitIds: [world.units.jiangchong],
      sampleSize: 1,
      teamSize: 1,
      window: {
        start: new Date(Date.now() - 60_000).toISOString(),
        end: new Date(Date.now() + 86_400_000).toISOString(),
      },
    };
    const planned = await world.organizer.post("/spot-checks", {
      ...body,
      inspectorPoolUnitId: world.units.jiulong,
    });
    expect(planned.status).toBe(201);
    expect(planned.body.inspectorPoolUnitId).toBe(world.units.jiulong);
    expect(planned.body.inspectorIds).toEqual([underDongjia, underJiulong].sort());

    const empty = await world.organizer.post("/spot-checks", {
      ...body,
      inspectorPoolUnitId: world.units.jiangchong,
    });
    expect(empty.status).toBe(422);
    expect(empty.body.errors[0].message).toMatch(/没有在岗的督查员/);
    const both = await world.organizer.post("/spot-checks", {
      ...body,
      inspectorIds: [underJiulong],
      inspectorPoolUnitId: world.units.jiulong,
    });
    expect(both.status).toBe(400);
    const tooMany = await world.organizer.post("/spot-checks", {
      ...body,
      inspectorIds: Array.from({ length: 501 }, (_, i) => `insp-${i}`),
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors[0].message).toMatch(/最多 500 名/);
    const tooLong = await world.admin.post("/people", {
      name: "名".repeat(101),
      username: "long.name",
      roles: ["official"],
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors[0].message).toMatch(/100/);
  });
});
