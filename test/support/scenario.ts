import type { Api, Client } from "./api";
import { isoIn } from "./api";

/**
 * A small Zhengzhou unit tree and the people who work it, built through the public API:
 * 经开区 → 明湖办事处 → 亚太社区, 九龙办事处 → 东贾社区, 京航办事处 → 蒋冲村; inspectors from
 * 航空港区 (outside the tree) and one from 明湖办事处 (conflicted for its own street's community).
 */
export interface World {
  readonly prefix: string;
  readonly organizer: Client;
  readonly official: Client;
  readonly admin: Client;
  readonly inspectors: Record<string, Client>;
  readonly units: {
    district: string;
    minghu: string;
    yatai: string;
    jiulong: string;
    dongjia: string;
    jinghang: string;
    jiangchong: string;
    airport: string;
  };
  readonly templateId: string;
  unitUser(unitId: string, sub?: string): Promise<Client>;
  inspectorFor(assignment: { inspectorIds: string[] }): Client;
}

/**
 * A request sent again, a second later, while the local gateway sheds it (429: it never ran, so even
 * a POST is safe to repeat), as a careful client does: a system started with a small concurrency (the
 * overload test) sheds some of the world's requests sent at once.
 */
async function unlessShed<T extends { status: number }>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const res = await send();
    if (res.status !== 429 || attempt >= 30) return res;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export async function buildWorld(api: Api, prefix: string): Promise<World> {
  const admin = await api.as(`${prefix}-admin`, ["admin"]);
  const organizer = await api.as(`${prefix}-organizer`, ["organizer"]);
  const official = await api.as(`${prefix}-official`, ["official"]);
  const u = (s: string) => `${prefix}-${s}`;
  const units = {
    district: u("jingkai"),
    minghu: u("minghu"),
    yatai: u("yatai"),
    jiulong: u("jiulong"),
    dongjia: u("dongjia"),
    jinghang: u("jinghang"),
    jiangchong: u("jiangchong"),
    airport: u("hangkonggang"),
  };
  const put = async (id: string, body: unknown) => {
    const res = await unlessShed(() => admin.put(`/units/${id}`, body));
    if (res.status !== 201 && res.status !== 200)
      throw new Error(`PUT unit ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  // A level at a time, each level's units at once (a parent before its children), and what does not
  // depend on the tree alongside it: 16 requests in 3 rounds instead of one after another.
  const level1 = Promise.all([
    put(units.district, { name: "经开区", parentId: null, kind: "district" }),
    put(units.airport, { name: "航空港区", parentId: null, kind: "district" }),
  ]);
  const template = unlessShed(() =>
    organizer.post("/templates", {
      name: "重点场所疫情防控检查细则",
      items: [
        { code: "A1", title: "员工健康动态管理档案", maxPoints: 20 },
        { code: "A2", title: "消杀记录本", maxPoints: 20 },
        { code: "A3", title: "测温、扫码、戴口罩", maxPoints: 30, critical: true },
        { code: "A4", title: "来访人员登记", maxPoints: 30 },
      ],
    }),
  );
  await level1;
  await Promise.all([
    put(units.minghu, { name: "明湖办事处", parentId: units.district, kind: "street" }),
    put(units.jiulong, { name: "九龙办事处", parentId: units.district, kind: "street" }),
    put(units.jinghang, { name: "京航办事处", parentId: units.district, kind: "street" }),
  ]);

  const inspectorIds = [u("insp-a"), u("insp-b"), u("insp-c"), u("insp-minghu")];
  const inspectors: Record<string, Client> = {};
  await Promise.all([
    put(units.yatai, {
      name: "亚太社区",
      parentId: units.minghu,
      kind: "community",
      location: { lat: 34.7, lng: 113.7 },
      radiusMeters: 300,
    }),
    put(units.dongjia, {
      name: "东贾社区",
      parentId: units.jiulong,
      kind: "community",
      location: { lat: 34.68, lng: 113.75 },
    }),
    put(units.jiangchong, { name: "蒋冲村", parentId: units.jinghang, kind: "village" }),
    ...inspectorIds.map(async (id) => {
      const home = id.endsWith("minghu") ? units.minghu : units.airport;
      const res = await unlessShed(() =>
        organizer.put(`/inspectors/${id}`, { name: `督查员${id.slice(-1)}`, homeUnitId: home }),
      );
      if (res.status !== 201 && res.status !== 200)
        throw new Error(`PUT inspector: ${res.status} ${JSON.stringify(res.body)}`);
    }),
  ]);
  for (const id of inspectorIds) inspectors[id] = await api.as(id, ["inspector"]);

  const planned = await template;
  if (planned.status !== 201)
    throw new Error(`POST template: ${planned.status} ${JSON.stringify(planned.body)}`);

  return {
    prefix,
    organizer,
    official,
    admin,
    inspectors,
    units,
    templateId: planned.body.templateId,
    unitUser: (unitId, sub) => api.as(sub ?? `${unitId}-head`, ["unit"], unitId),
    inspectorFor: (a) => {
      const id = a.inspectorIds[0];
      const client = id ? inspectors[id] : undefined;
      if (!client) throw new Error("assignment has no known inspector");
      return client;
    },
  };
}

export function spotCheckBody(world: World, overrides: Record<string, unknown> = {}) {
  return {
    title: "经开区重点场所四不两直督查",
    templateId: world.templateId,
    candidateUnitIds: [world.units.yatai, world.units.dongjia, world.units.jiangchong],
    sampleSize: 1,
    inspectorIds: Object.keys(world.inspectors).filter((id) => !id.endsWith("minghu")),
    teamSize: 2,
    window: { start: isoIn(-60_000), end: isoIn(24 * 3600_000) },
    ...overrides,
  };
}

/** Plans and draws a spot check; returns the first assignment. */
export async function drawOne(world: World, overrides: Record<string, unknown> = {}) {
  const planned = await world.organizer.post("/spot-checks", spotCheckBody(world, overrides));
  if (planned.status !== 201) throw new Error(`plan: ${planned.status} ${JSON.stringify(planned.body)}`);
  const drawn = await world.organizer.post(`/spot-checks/${planned.body.spotCheckId}/draw`);
  if (drawn.status !== 200) throw new Error(`draw: ${drawn.status} ${JSON.stringify(drawn.body)}`);
  const assignment = drawn.body.assignments[0] as {
    assignmentId: string;
    unitId: string;
    inspectorIds: string[];
  };
  return {
    spotCheckId: planned.body.spotCheckId as string,
    planned: planned.body,
    drawn: drawn.body,
    assignment,
  };
}
