import type { NoticeKind } from "../../lambdas/domain/notices";
import type { Role } from "../../lambdas/domain/roles";
import type {
  AssignmentStatus,
  EvidencePurpose,
  EvidenceStatus,
  EvidenceSubjectKind,
  ExtensionRequestStatus,
  ImportKind,
  ImportStatus,
  Light,
  OrderHistoryAction,
  RectificationStatus,
  Severity,
  SpotCheckStatus,
} from "../../lambdas/domain/statuses";

/**
 * Every word of the API that the console shows a person, in Simplified Chinese and the field's own
 * words: statuses, actions of an order's history and of the audit trail, actors, roles, unit kinds,
 * notice kinds, field names, and the one time format (China Standard Time). Codes stay English on
 * the wire; nothing here is shown untranslated except through `label`'s fallback, which the
 * Chinese-only browser test (test/e2e/chinese-only.test.ts) catches.
 *
 * The maps of a closed set of codes are typed by that set as the server declares it once
 * (lambdas/domain/statuses.ts, roles.ts, notices.ts; imported as types only): a status, role or
 * notice kind added there without its Chinese here fails the type check (`npx tsc -p web`).
 */

/**
 * Marks a code this console has no word for yet (a newer server's): the page says so in Chinese, never
 * shows the code, and the Chinese-only browser test fails on it.
 */
export const UNRECOGNISED = "（未识别）";

/** A known code's Chinese, else the fallback marked 未识别 — never the bare code. */
export function label(map: Readonly<Record<string, string>>, code: string, fallback = "其他"): string {
  return Object.hasOwn(map, code) ? map[code]! : `${fallback}${UNRECOGNISED}`;
}

// ---------- statuses ----------
export const ASSIGNMENT_STATUS: Record<AssignmentStatus, string> = {
  dispatched: "待检查",
  on_site: "已到场",
  scored: "已评分",
  rectifying: "整改中",
  closed: "已办结",
  missed: "未按期检查",
};
export const RECT_STATUS: Record<RectificationStatus, string> = {
  open: "待整改",
  submitted: "已报告待回头看",
  closed: "已销号",
};
export const SEVERITY: Record<Severity, string> = { minor: "一般", major: "较重", critical: "严重" };
export const LIGHT: Record<Light, string> = { green: "绿灯", yellow: "黄灯", red: "红灯" };
export const ESCALATION = ["—", "催办", "问责"];
export const SPOT_CHECK_STATUS: Record<SpotCheckStatus, string> = {
  planned: "待抽签",
  dispatched: "已派出",
};
export const EXTENSION_STATUS: Record<ExtensionRequestStatus, string> = {
  pending: "待审批",
  approved: "已批准",
  refused: "未批准",
};
export const PURPOSE_NAMES: Record<EvidencePurpose, string> = {
  finding: "问题照片",
  before: "整改前",
  after: "整改后",
  review: "回头看",
};
/** What a photo or document is attached to. */
export const SUBJECT_KINDS: Record<EvidenceSubjectKind, string> = {
  assignment: "检查",
  rectification: "整改单",
};
export const EVIDENCE_STATUS: Record<EvidenceStatus, string> = {
  pending: "校验中",
  verified: "已校验",
  rejected: "未通过",
};

// ---------- imports ----------
export const IMPORT_KIND: Record<ImportKind, string> = { units: "单位", people: "人员" };
export const IMPORT_STATUS: Record<ImportStatus, string> = {
  pending: "等待上传完成",
  validating: "正在校验",
  invalid: "校验未通过",
  importing: "正在导入",
  done: "导入完成",
};

// ---------- people ----------
export const ROLE_NAMES: Record<Role, string> = {
  admin: "管理员",
  organizer: "督查组织",
  inspector: "督查员",
  unit: "被检查单位",
  official: "领导",
};

/** "管理员、督查组织": the roles in Chinese. */
export function roleNames(roles: readonly string[]): string {
  return roles.map((r) => label(ROLE_NAMES, r, "其他角色")).join("、");
}

/** Actors that are not people: the workflow (timers, escalations, closing) acts as 系统. */
export const SYSTEM_ACTORS: Record<string, string> = { workflow: "系统", system: "系统" };

// ---------- units ----------
/** The kinds of unit: the API's codes (v1 free text; the demo's and the imports' codes) in Chinese. */
export const UNIT_KIND: Record<string, string> = {
  province: "省",
  city: "市",
  district: "区",
  county: "县",
  street: "街道/办事处",
  town: "镇",
  township: "乡",
  community: "社区",
  village: "村",
  grid: "网格",
  venue: "场所",
  hotel: "宾馆",
  restaurant: "餐馆",
  supermarket: "超市",
  school: "学校",
  market: "市场",
  hospital: "医院",
  company: "企业",
  enterprise: "企业",
  agency: "机关",
};
export const kindName = (kind: string): string => label(UNIT_KIND, kind, "其他单位");

// ---------- what happened ----------
/** The steps of a rectification order's history (its 办理过程). */
export const RECT_ACTIONS: Record<OrderHistoryAction, string> = {
  issued: "下达整改通知",
  reported: "单位报告整改",
  reported_late: "单位报告整改（逾期）",
  accepted: "回头看：整改到位，同意销号",
  rejected: "回头看：整改不到位，退回",
  overdue_reminder: "逾期催办",
  escalated: "启动问责",
  evidence_added: "上传材料",
  extension_requested: "单位申请延期",
  extension_approved: "批准延期",
  extension_refused: "不予延期",
  deadline_reminder: "临期提醒",
};

/** Every action of the audit trail (审计追踪). */
export const AUDIT_ACTIONS: Record<string, string> = {
  ...RECT_ACTIONS,
  read_before_arrival: "到场前查阅（保密审计）",
  refused_read_before_arrival: "到场前查阅被拒（保密审计）",
  spot_check_planned: "计划督查任务",
  drawn: "抽签派出",
  draw_proof_read: "查阅抽签凭证",
  arrived: "到场签到",
  findings_submitted: "提交现场检查结果",
  rectification_issued: "下达整改通知",
  rectification_started: "进入整改",
  accepted: "回头看：同意销号",
  rejected: "回头看：退回",
  missed: "未按期检查",
  closed: "办结",
  template_created: "新建检查细则",
  template_version_created: "发布检查细则新版本",
  evidence_requested: "申请上传证据材料",
  evidence_verified: "证据材料校验通过",
  evidence_rejected: "证据材料未通过校验",
  unit_created: "新增单位",
  unit_updated: "修改单位",
  unit_saved: "保存单位",
  inspector_saved: "登记督查员",
  person_created: "开通账号",
  person_updated: "修改人员信息",
  person_disabled: "停用账号",
  person_enabled: "启用账号",
  password_reset: "重置密码",
  import_requested: "申请批量导入",
  import_invalid: "批量导入校验未通过",
  import_done: "批量导入完成",
  import_credentials_url_issued: "下载初始密码表",
  notice_sent: "发送通知",
};

/** The kinds of notice (通知). */
export const NOTICE_KINDS: Record<NoticeKind, string> = {
  rectification_issued: "整改通知",
  overdue_reminder: "催办",
  escalation: "问责",
  assignment_dispatched: "督查任务派发",
  report_received: "待回头看",
  deadline_near: "临期提醒",
  extension_decided: "延期审批结果",
};

/** Routes as the audit's `via` names them: what the person was doing. */
export const VIA: Record<string, string> = {
  "GET /assignments": "查看检查列表",
  "GET /assignments/{id}": "查看检查详情",
  "POST /assignments/{id}/arrival": "到场签到",
  "POST /assignments/{id}/findings": "提交现场检查结果",
  "GET /spot-checks/{id}": "查看督查任务",
  "GET /spot-checks/{id}/draw-proof": "查看抽签凭证",
  "GET /spot-checks/{id}/bulletin": "查看督查通报",
  "GET /rectifications": "查看整改单列表",
  "GET /rectifications/{id}": "查看整改单",
  "GET /evidence/{id}": "查看证据材料",
  "GET /evidence": "查看证据材料列表",
  "POST /evidence": "上传证据材料",
  "GET /dashboard": "查看督办看板",
  "GET /audit/{entityId}": "查看审计追踪",
};

/**
 * Request and record fields by the names the forms and pages give them: the fields of a refused
 * request's errors and of the audit trail's changes.
 */
export const FIELD_NAMES: Record<string, string> = {
  name: "名称",
  title: "名称",
  phone: "手机号",
  username: "用户名",
  roles: "角色",
  unitId: "单位",
  homeUnitId: "所属单位",
  parentId: "上级单位",
  parentUnitId: "上级单位",
  kind: "类型",
  location: "位置",
  radiusMeters: "范围（米）",
  enabled: "账号状态",
  fileName: "文件",
  contentType: "文件类型",
  size: "文件大小",
  templateId: "检查细则",
  items: "检查项",
  grades: "等次",
  code: "检查项代码",
  maxPoints: "分值",
  candidateUnitIds: "候选单位",
  candidates: "候选单位",
  sampleSize: "抽取数量",
  inspectorIds: "督查员",
  inspectorPoolUnitId: "督查员所属单位",
  teamSize: "每组人数",
  window: "时间窗口",
  start: "开始时间",
  end: "结束时间",
  rectifyWithinDays: "整改期限（天）",
  rectifyWithinWorkdays: "整改期限（工作日）",
  escalateAfterHours: "问责宽限（小时）",
  maxExtensions: "最多延期次数",
  excludeInspectedWithinDays: "近期已检查单位回避（天）",
  issues: "问题数",
  description: "描述",
  severity: "严重程度",
  deadline: "整改期限",
  previousDeadline: "原整改期限",
  requestedDeadline: "申请延至",
  deduction: "扣分",
  note: "说明",
  comment: "意见",
  reason: "理由",
  decision: "决定",
  evidence: "佐证材料",
  evidenceIds: "照片与材料",
  subject: "对象",
  purpose: "用途",
  capturedAt: "拍摄时间",
  sampleSizeLimit: "抽取上限",
  distanceMeters: "距单位",
  onSite: "在现场",
  percent: "得分率",
  grade: "等次",
  vetoed: "一票否决",
  points: "得分",
  level: "督办级别",
  late: "逾期报告",
  accepts: "同意销号人数",
  closed: "已销号",
  orders: "整改单数",
  assignments: "检查组数",
  algorithm: "抽签算法",
  revealed: "种子已公开",
  windowEnd: "时间窗口结束",
  version: "版本",
  total: "总行数",
  created: "新增",
  updated: "更新",
  unchanged: "未变",
  errorCount: "错误数",
  accountsCreated: "新开通账号",
  accounts: "账号数",
  fields: "修改的字段",
  importId: "导入批次",
  requestId: "延期申请",
  via: "操作",
  limit: "每页条数",
  cursor: "翻页位置",
  status: "状态",
  overdue: "逾期",
  password: "密码",
  newPassword: "新密码",
};

/** The Chinese name of a request's or record's field, from a path such as `body.window.end`. */
export function fieldName(path: string): string | undefined {
  const parts = path
    .replace(/^(body|query|params)\.?/, "")
    .split(/[.[\]]/)
    .filter((p) => p !== "" && !/^\d+$/.test(p));
  for (let i = parts.length - 1; i >= 0; i--) {
    const known = FIELD_NAMES[parts[i]!];
    if (known) return known;
  }
  return undefined;
}

// ---------- time ----------
/** Times are read and typed in China Standard Time, wherever the browser is. */
export const TIME_ZONE = "Asia/Shanghai";
const CST = new Intl.DateTimeFormat("en-US", {
  timeZone: TIME_ZONE,
  hourCycle: "h23",
  year: "numeric",
  month: "numeric",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

function cstParts(d: Date): Record<"year" | "month" | "day" | "hour" | "minute", string> {
  const parts = Object.fromEntries(CST.formatToParts(d).map((p) => [p.type, p.value]));
  return {
    year: parts.year ?? "",
    month: parts.month ?? "",
    day: parts.day ?? "",
    hour: (parts.hour ?? "").padStart(2, "0"),
    minute: (parts.minute ?? "").padStart(2, "0"),
  };
}

/** `2026年12月3日 15:46`, in China Standard Time; "—" for none. */
export function fmtTime(iso: string | undefined | null): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  const p = cstParts(d);
  return `${p.year}年${p.month}月${p.day}日 ${p.hour}:${p.minute}`;
}

/** `12月3日`, in China Standard Time (chart labels). */
export function fmtDate(iso: string): string {
  const p = cstParts(new Date(iso));
  return `${p.month}月${p.day}日`;
}

/** `2026年12月3日`, in China Standard Time. */
export function fmtDay(iso: string): string {
  const p = cstParts(new Date(iso));
  return `${p.year}年${p.month}月${p.day}日`;
}

/** An ISO time inside a server's text (an older notice's deadline) as `2026年12月3日 15:46`. */
export function withTimesInChinese(text: string): string {
  return text.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})/g, (iso) =>
    fmtTime(iso),
  );
}

/** 是 / 否. */
export const yesNo = (b: boolean): string => (b ? "是" : "否");
