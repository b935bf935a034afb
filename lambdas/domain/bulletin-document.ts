/**
 * The 督查通报 as an official document: what it says, in the order it says it, built once from the
 * bulletin (lambdas/services/bulletin.ts) for both the Word file and the PDF. Dates in China Standard
 * Time the Chinese way (2026年12月3日), units by name, severities, statuses and escalations in the
 * field's words. No AWS imports.
 */
import { formatChinaDate, formatChinaTime } from "./china-time";
import {
  chineseNumeral,
  type DocumentBlock,
  ESCALATION_NAMES,
  type OfficialDocument,
  SEVERITY_NAMES,
} from "./documents";
import {
  daysOverdue,
  RECTIFICATION_STATUS_NAMES,
  type RectificationStatus,
  type Severity,
} from "./rectification-order";
import type { Grade } from "./scoring";

/**
 * The grade a bulletin commends (通报表扬): the template's top grade (the highest `minPercent`; the
 * first listed wins a tie) — 优秀 under the default grades. Vetoed units are never commended.
 */
export function commendedGrade(grades: readonly Grade[]): string | undefined {
  let top: Grade | undefined;
  for (const g of grades) if (top === undefined || g.minPercent > top.minPercent) top = g;
  return top?.name;
}

export interface BulletinOrder {
  readonly unitName: string;
  readonly description: string;
  readonly severity: Severity;
  readonly deadline: string;
  readonly status: RectificationStatus;
  readonly overdue: boolean;
  readonly escalationLevel: number;
  /** The highest escalation the order ever reached (kept when it closes), where recorded. */
  readonly maxEscalationLevel?: number | undefined;
}

/** What the document is built from: the bulletin as lambdas/services/bulletin.ts returns it. */
export interface BulletinContent {
  readonly title: string;
  readonly window: { readonly start: string; readonly end: string };
  readonly generatedAt: string;
  readonly summary: string;
  readonly ranking: readonly {
    readonly rank: number;
    readonly unitName: string;
    readonly points: number;
    readonly maxPoints: number;
    readonly percent: number;
    readonly grade: string;
    readonly vetoed: boolean;
  }[];
  readonly problems: readonly BulletinOrder[];
  readonly overdue: readonly BulletinOrder[];
  readonly escalations: readonly BulletinOrder[];
  readonly commended: readonly { readonly unitName: string; readonly grade: string }[];
  readonly missed: readonly { readonly unitName: string }[];
}

/** `关于……督查情况的通报`: a title that already names the inspection is not repeated. */
export function bulletinTitle(title: string): string {
  const trimmed = title.trim();
  return /(督查|检查|暗访|抽查)$/.test(trimmed)
    ? `关于${trimmed}情况的通报`
    : `关于“${trimmed}”督查情况的通报`;
}

/** The highest escalation of an order: the kept record where there is one, else the current level. */
export function escalationOf(o: BulletinOrder): number {
  return Math.max(o.escalationLevel, o.maxEscalationLevel ?? 0);
}

function orderFacts(o: BulletinOrder, asOf: Date): string {
  const facts = [
    `${SEVERITY_NAMES[o.severity]}问题`,
    `整改期限${formatChinaTime(o.deadline)}`,
    RECTIFICATION_STATUS_NAMES[o.status],
  ];
  if (o.overdue) {
    const days = daysOverdue(o.deadline, asOf);
    facts.push(days > 0 ? `已逾期${days}天` : "已逾期");
  }
  const escalation = ESCALATION_NAMES[escalationOf(o)];
  if (escalation) facts.push(`已${escalation}`);
  return facts.join("；");
}

/** Groups orders by unit, in the order the units first appear. */
function byUnit(orders: readonly BulletinOrder[]): [string, BulletinOrder[]][] {
  const groups = new Map<string, BulletinOrder[]>();
  for (const o of orders) groups.set(o.unitName, [...(groups.get(o.unitName) ?? []), o]);
  return [...groups];
}

/** The day an end falls on: an end at 24:00 (midnight) belongs to the day before, as offices write it. */
function lastDay(iso: string): string {
  return formatChinaTime(iso).split(" ")[0] ?? formatChinaDate(iso);
}

function listOf(names: readonly string[]): string {
  return names.join("、");
}

/** The 督查通报 of a spot check as an official document. */
export function bulletinDocument(b: BulletinContent): OfficialDocument {
  const title = bulletinTitle(b.title);
  const asOf = formatChinaDate(b.generatedAt);
  const generatedAt = new Date(b.generatedAt);
  const blocks: DocumentBlock[] = [
    { kind: "title", text: title },
    { kind: "addressee", text: "各有关单位：" },
  ];
  blocks.push({
    kind: "paragraph",
    text: `${formatChinaDate(b.window.start)}至${lastDay(b.window.end)}，按照“四不两直”（不发通知、不打招呼、不听汇报、不用陪同接待，直奔基层、直插现场）要求，对随机抽取的单位开展了督查。现将有关情况通报如下。`,
  });

  let section = 0;
  const heading = (text: string) => {
    section += 1;
    blocks.push({ kind: "heading", level: 1, text: `${chineseNumeral(section)}、${text}` });
  };

  heading("总体情况");
  blocks.push({ kind: "paragraph", text: b.summary });
  if (b.missed.length > 0) {
    blocks.push({
      kind: "paragraph",
      text: `${listOf(b.missed.map((m) => m.unitName))}未能在督查时段内完成检查，由督查组织部门另行安排。`,
    });
  }

  heading("评分排名");
  if (b.ranking.length === 0) {
    blocks.push({ kind: "paragraph", text: "本次督查尚无已评分的单位。" });
  } else {
    blocks.push({
      kind: "paragraph",
      text: "按现场量化评分的得分率由高到低排列（得分率相同的按得分排列，一票否决的单位列于最后）：",
    });
    blocks.push({
      kind: "table",
      columns: [
        { title: "名次", width: 0.1, align: "center" },
        { title: "单位", width: 0.36 },
        { title: "得分", width: 0.16, align: "center" },
        { title: "得分率", width: 0.14, align: "center" },
        { title: "等次", width: 0.24, align: "center" },
      ],
      rows: b.ranking.map((r) => [
        String(r.rank),
        r.unitName,
        `${r.points}/${r.maxPoints}`,
        `${r.percent}%`,
        r.vetoed ? `${r.grade}（一票否决）` : r.grade,
      ]),
    });
  }

  heading("发现的问题");
  if (b.problems.length === 0) {
    blocks.push({ kind: "paragraph", text: "本次督查未发现需要整改的问题。" });
  } else {
    byUnit(b.problems).forEach(([unitName, orders], i) => {
      blocks.push({ kind: "heading", level: 2, text: `（${chineseNumeral(i + 1)}）${unitName}` });
      orders.forEach((o, j) => {
        blocks.push({
          kind: "paragraph",
          text: `${j + 1}.${o.description}（${orderFacts(o, generatedAt)}）。`,
        });
      });
    });
  }

  heading("逾期整改和督办问责情况");
  if (b.overdue.length === 0 && b.escalations.length === 0) {
    blocks.push({
      kind: "paragraph",
      text: `截至${asOf}，没有逾期未整改的问题，也没有启动催办或问责的问题。`,
    });
  } else {
    if (b.overdue.length > 0) {
      blocks.push({ kind: "paragraph", text: `截至${asOf}，以下${b.overdue.length}个问题逾期未整改：` });
      b.overdue.forEach((o, i) => {
        blocks.push({
          kind: "paragraph",
          text: `${i + 1}.${o.unitName}：${o.description}（${orderFacts(o, generatedAt)}）。`,
        });
      });
    } else {
      blocks.push({ kind: "paragraph", text: `截至${asOf}，没有逾期未整改的问题。` });
    }
    const urged = b.escalations.filter((o) => escalationOf(o) === 1);
    const accountable = b.escalations.filter((o) => escalationOf(o) >= 2);
    if (urged.length > 0) {
      blocks.push({
        kind: "paragraph",
        text: `对${listOf([...new Set(urged.map((o) => o.unitName))])}的${urged.length}个逾期问题已发出催办。`,
      });
    }
    if (accountable.length > 0) {
      blocks.push({
        kind: "paragraph",
        text: `对${listOf([...new Set(accountable.map((o) => o.unitName))])}的${accountable.length}个问题，因超过宽限期仍未整改，已启动问责程序。`,
      });
    }
  }

  heading("通报表扬");
  if (b.commended.length === 0) {
    blocks.push({ kind: "paragraph", text: "本次督查没有评为最高等次的单位。" });
  } else {
    const names = b.commended.map((c) => c.unitName);
    blocks.push({
      kind: "paragraph",
      text: `${listOf(names)}${names.length > 1 ? `等${names.length}个单位` : ""}评为“${b.commended[0]?.grade ?? ""}”等次，予以通报表扬。`,
    });
  }

  heading("工作要求");
  blocks.push({
    kind: "paragraph",
    text: "各被督查单位要对照问题清单逐项整改，在整改期限内报告整改情况并提交整改前后的佐证材料；逾期未整改的，按规定催办、问责。",
  });

  blocks.push({ kind: "closing", lines: [asOf] });
  return { title, author: "督查组织部门", blocks };
}
