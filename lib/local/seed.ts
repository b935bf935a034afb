import { issueToken } from "./jwt";

/**
 * `npm run seed` (with `npm start` running): loads a realistic demo through the public API — the
 * Zhengzhou districts, streets and communities named in the source articles, five checklists drawn
 * from them, the office's people with accounts, and a spot check in progress with an order about to
 * go overdue — then prints each person's username and temporary password (changed at the first
 * sign-in in the console) and a script token for each role. Safe to run again: units are replaced,
 * people get new temporary passwords, new spot checks are added.
 */
const base = process.env.API_URL ?? `http://localhost:${process.env.PORT ?? 3000}`;
const dataDir = process.env.DATA_DIR ?? ".data";

// biome-ignore lint/suspicious/noExplicitAny: the demo script reads this API's own JSON responses
async function call(token: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = await res.json();
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

type UnitSeed = [id: string, name: string, kind: string, children?: UnitSeed[], location?: [number, number]];

const tree: UnitSeed = [
  "zz",
  "郑州市",
  "city",
  [
    [
      "zz-zy",
      "中原区",
      "district",
      [
        ["zz-zy-zyxl", "中原西路街道", "street"],
        ["zz-zy-jsl", "建设路街道", "street"],
        ["zz-zy-qll", "秦岭路街道", "street"],
        ["zz-zy-tbl", "桐柏路街道", "street"],
        ["zz-zy-lh", "莲湖街道", "street"],
        ["zz-zy-sgm", "三官庙街道", "street"],
        ["zz-zy-lsz", "林山寨街道", "street"],
      ],
    ],
    ["zz-gc", "管城区", "district", [["zz-gc-zjsnl", "紫荆山南路街道", "street"]]],
    ["zz-js", "金水区", "district", [["zz-js-fcl", "丰产路街道", "street"]]],
    [
      "zz-jk",
      "经开区",
      "district",
      [
        [
          "zz-jk-mh",
          "明湖办事处",
          "street",
          [
            [
              "zz-jk-mh-yt",
              "亚太社区",
              "community",
              [
                ["zz-jk-mh-yt-h1", "亚太社区某宾馆", "hotel", [], [34.7251, 113.7262]],
                ["zz-jk-mh-yt-h2", "亚太社区某酒店", "hotel", [], [34.7262, 113.7281]],
                ["zz-jk-mh-yt-r1", "亚太社区某餐馆（一）", "restaurant", [], [34.7243, 113.7255]],
                ["zz-jk-mh-yt-r2", "亚太社区某餐馆（二）", "restaurant", [], [34.7239, 113.7298]],
                ["zz-jk-mh-yt-r3", "亚太社区某餐馆（三）", "restaurant", [], [34.727, 113.724]],
                ["zz-jk-mh-yt-s1", "亚太社区某超市（一）", "supermarket", [], [34.7255, 113.731]],
                ["zz-jk-mh-yt-s2", "亚太社区某超市（二）", "supermarket", [], [34.7228, 113.7266]],
                ["zz-jk-mh-yt-ms", "亚太社区某中学", "school", [], [34.7281, 113.7259]],
                ["zz-jk-mh-yt-ps", "亚太社区某小学", "school", [], [34.7233, 113.723]],
              ],
              [34.725, 113.727],
            ],
          ],
        ],
        ["zz-jk-qc", "前程办事处", "street"],
        ["zz-jk-jh", "京航办事处", "street", [["zz-jk-jh-jc", "蒋冲村", "village", [], [34.691, 113.748]]]],
        [
          "zz-jk-jl",
          "九龙办事处",
          "street",
          [["zz-jk-jl-dj", "东贾社区", "community", [], [34.669, 113.772]]],
        ],
      ],
    ],
    [
      "zz-hkg",
      "航空港区",
      "district",
      [
        ["zz-hkg-zg", "郑港办事处", "street"],
        ["zz-hkg-zz", "张庄办事处", "street"],
        ["zz-hkg-xg", "新港办事处", "street"],
        ["zz-hkg-qh", "清河办事处", "street"],
        ["zz-hkg-bq", "八千办事处", "street"],
      ],
    ],
  ],
];

const checklists = [
  {
    name: "重点场所疫情防控督查细则",
    items: [
      { code: "ZD1", title: "工作人员和顾客规范佩戴口罩", maxPoints: 15, critical: true },
      { code: "ZD2", title: "入口扫码、测温、登记", maxPoints: 15, critical: true },
      { code: "ZD3", title: "员工健康动态管理档案", maxPoints: 15 },
      { code: "ZD4", title: "消杀记录本记录完整", maxPoints: 15 },
      { code: "ZD5", title: "学校来访人员登记", maxPoints: 15 },
      { code: "ZD6", title: "食堂防控措施落实", maxPoints: 15 },
      { code: "ZD7", title: "应急处置预案和物资", maxPoints: 10 },
    ],
  },
  {
    name: "居家隔离管控督查细则",
    items: [
      { code: "JJ1", title: "三必须一比照：封门、口罩与单间、上门采样", maxPoints: 30, critical: true },
      { code: "JJ2", title: "电子门磁安装运行", maxPoints: 20 },
      { code: "JJ3", title: "告知书张贴到位", maxPoints: 15 },
      { code: "JJ4", title: "走访记录公开", maxPoints: 15 },
      { code: "JJ5", title: "“四个一”“一对一”服务联系畅通", maxPoints: 20 },
    ],
  },
  {
    name: "核酸检测点督查细则",
    items: [
      { code: "HS1", title: "一米线设置", maxPoints: 20 },
      { code: "HS2", title: "标识标牌清晰", maxPoints: 15 },
      { code: "HS3", title: "采样操作规范", maxPoints: 30, critical: true },
      { code: "HS4", title: "现场消毒", maxPoints: 20 },
      { code: "HS5", title: "现场秩序井然", maxPoints: 15 },
    ],
  },
  {
    name: "校外培训机构督查细则",
    items: [
      { code: "XW1", title: "办学资质公示", maxPoints: 20 },
      { code: "XW2", title: "消防通道畅通", maxPoints: 25, critical: true },
      { code: "XW3", title: "晨午检和健康登记", maxPoints: 20 },
      { code: "XW4", title: "教室通风消毒", maxPoints: 20 },
      { code: "XW5", title: "收费公示规范", maxPoints: 15 },
    ],
  },
  {
    name: "防汛备汛督查细则",
    items: [
      { code: "FX1", title: "隧道口沙袋等防汛物资到位", maxPoints: 30 },
      { code: "FX2", title: "抢险车辆24小时待命", maxPoints: 30, critical: true },
      { code: "FX3", title: "值班值守和信息报送", maxPoints: 20 },
      { code: "FX4", title: "应急预案和演练", maxPoints: 20 },
    ],
  },
];

/** Inspectors: username, name, home unit. */
const inspectors = [
  ["zhang.jianguo", "张建国", "zz-hkg-zg"],
  ["wang.li", "王丽", "zz-hkg-xg"],
  ["li.qiang", "李强", "zz-js-fcl"],
  ["zhao.min", "赵敏", "zz-gc-zjsnl"],
  ["chen.xiao", "陈晓", "zz-zy-lh"],
  ["liu.yang", "刘洋", "zz-jk-mh"],
] as const;

interface Account {
  readonly personId: string;
  readonly username: string;
  readonly name: string;
  readonly role: string;
  readonly temporaryPassword: string;
}

/**
 * A person with an account; when the username exists already (the seed run again), that person is
 * kept and given a new temporary password.
 */
async function person(admin: string, role: string, body: Record<string, unknown>): Promise<Account> {
  const res = await fetch(`${base}/people`, {
    method: "POST",
    headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the demo script reads this API's own JSON responses
  const json: any = await res.json();
  if (res.status === 201)
    return {
      personId: json.personId,
      username: json.username,
      name: json.name,
      role,
      temporaryPassword: json.temporaryPassword,
    };
  if (res.status !== 409) throw new Error(`POST /people → ${res.status}: ${JSON.stringify(json)}`);
  let cursor: string | null = null;
  do {
    const page = await call(
      admin,
      "GET",
      `/people?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    const found = page.items.find((p: { username: string }) => p.username === body.username);
    if (found) {
      const reset = await call(admin, "POST", `/people/${found.personId}/reset-password`);
      return { personId: found.personId, username: found.username, name: found.name, role, ...reset };
    }
    cursor = page.nextCursor;
  } while (cursor);
  throw new Error(`${String(body.username)} is taken but not listed`);
}

async function main() {
  // A script token bootstraps the office; from then on its people sign in with their own accounts.
  const admin = await issueToken(dataDir, { sub: "demo-admin", groups: ["admin"] });
  const organizer = await issueToken(dataDir, { sub: "demo-organizer", groups: ["organizer"] });

  const putTree = async ([id, name, kind, children = [], location]: UnitSeed, parentId: string | null) => {
    await call(admin, "PUT", `/units/${id}`, {
      name,
      parentId,
      kind,
      ...(location ? { location: { lat: location[0], lng: location[1] }, radiusMeters: 200 } : {}),
    });
    for (const child of children) await putTree(child, id);
  };
  await putTree(tree, null);
  const accounts: Account[] = [
    await person(admin, "管理员", { name: "系统管理员", username: "admin", roles: ["admin"] }),
    await person(admin, "督查组织", {
      name: "督查室刘科长",
      username: "duchashi.liu",
      phone: "13800000001",
      roles: ["organizer"],
    }),
    await person(admin, "领导", { name: "分管副区长", username: "lingdao.zhou", roles: ["official"] }),
  ];
  const inspectorAccounts: Account[] = [];
  for (const [username, name, home] of inspectors)
    inspectorAccounts.push(
      await person(organizer, "督查员", { name, username, roles: ["inspector"], homeUnitId: home }),
    );
  accounts.push(...inspectorAccounts);
  const templates = [];
  for (const c of checklists) templates.push(await call(organizer, "POST", "/templates", c));

  const now = Date.now();
  const spotCheck = await call(organizer, "POST", "/spot-checks", {
    title: "经开区重点场所疫情防控“四不两直”督查",
    templateId: templates[0].templateId,
    parentUnitId: "zz-jk-mh-yt",
    sampleSize: 3,
    inspectorIds: inspectorAccounts.map((a) => a.personId),
    teamSize: 2,
    window: {
      start: new Date(now - 3600_000).toISOString(),
      end: new Date(now + 7 * 86400_000).toISOString(),
    },
    rectifyWithinDays: 7,
  });
  const drawn = await call(organizer, "POST", `/spot-checks/${spotCheck.spotCheckId}/draw`);
  const [first, second] = drawn.assignments;

  const teamToken = (a: { inspectorIds: string[] }) =>
    issueToken(dataDir, { sub: a.inspectorIds[0] ?? "", groups: ["inspector"] });
  // First team: on site, finds unclear disinfection records → 责令立即整改, deadline in 20 seconds.
  const t1 = await teamToken(first);
  await call(t1, "POST", `/assignments/${first.assignmentId}/arrival`, {
    location: { lat: 34.7252, lng: 113.7263 },
  });
  await call(t1, "POST", `/assignments/${first.assignmentId}/findings`, {
    items: [
      { code: "ZD4", deduction: 8, note: "个别场所消杀记录不详" },
      { code: "ZD3", deduction: 3, note: "两名员工健康档案未更新" },
    ],
    issues: [
      {
        itemCode: "ZD4",
        description: "个别场所消杀记录不详，责令立即整改",
        severity: "major",
        deadline: new Date(now + 20_000).toISOString(),
      },
      {
        itemCode: "ZD3",
        description: "员工健康动态管理档案未及时更新",
        severity: "minor",
        rectifyWithinDays: 2,
      },
    ],
  });
  // Second team: on site, everything in order.
  const t2 = await teamToken(second);
  await call(t2, "POST", `/assignments/${second.assignmentId}/arrival`, {
    location: { lat: 34.7262, lng: 113.7281 },
  });
  await call(t2, "POST", `/assignments/${second.assignmentId}/findings`, {
    items: [{ code: "ZD7", deduction: 2 }],
    issues: [],
  });

  accounts.push(
    await person(admin, "被检查单位", {
      name: "亚太社区主任",
      username: "yatai.zhuren",
      roles: ["unit"],
      unitId: first.unitId,
    }),
  );

  const tokens: [string, string][] = [
    ["admin", admin],
    ["organizer", organizer],
    ["official", await issueToken(dataDir, { sub: "demo-official", groups: ["official"] })],
    [`inspector (${first.inspectorIds[0]})`, t1],
    [
      `unit (${first.unitId})`,
      await issueToken(dataDir, { sub: "demo-unit-head", groups: ["unit"], unitId: first.unitId }),
    ],
  ];
  console.log(
    `Demo loaded into ${base}: spot check ${spotCheck.spotCheckId}, ${drawn.assignments.length} assignments.`,
  );
  console.log("The first order goes overdue (red, 催办) about 20 seconds from now.");
  console.log(
    "\nSign in to the console with these accounts (the temporary password is changed at first sign-in):",
  );
  for (const a of accounts) console.log(`  ${a.role}\t${a.name}\t${a.username}\t${a.temporaryPassword}`);
  console.log("\nScript tokens (Authorization: Bearer …):");
  for (const [role, token] of tokens) console.log(`\n${role}:\n${token}`);
}

main().catch((error: unknown) => {
  console.error(
    `Seeding failed: ${error instanceof Error ? error.message : String(error)} (is \`npm start\` running on ${base}?)`,
  );
  process.exit(1);
});
