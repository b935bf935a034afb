import { neutralizeFormula } from "../../../lambdas/domain/spreadsheet-cells";
import type { Bulletin } from "../api";
import { label } from "../labels";
import {
  ASSIGNMENT_STATUS,
  app,
  Empty,
  ErrorBox,
  ESCALATION,
  fmtTime,
  Loading,
  navigate,
  RECT_STATUS,
  SEVERITY,
  Section,
  SPOT_CHECK_STATUS,
  saveBlob,
  useAction,
  useLoad,
} from "../ui";

/** One CSV field: text a spreadsheet would run as a formula gets a leading `'`, then RFC 4180 quoting. */
function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? "" : typeof v === "string" ? neutralizeFormula(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The bulletin as CSV (UTF-8 with BOM so that spreadsheet programs read the Chinese). */
export function bulletinCsv(b: Bulletin): string {
  const rows: unknown[][] = [
    ["督查通报", b.title],
    ["时间窗口", fmtTime(b.window.start), fmtTime(b.window.end)],
    ["概况", b.summary],
    [],
    ["排名", "单位", "得分率(%)", "得分", "满分", "等次", "一票否决"],
    ...b.ranking.map((r) => [
      r.rank,
      r.unitName,
      r.percent,
      r.points,
      r.maxPoints,
      r.grade,
      r.vetoed ? "是" : "否",
    ]),
    [],
    ["问题清单"],
    ["单位", "问题", "严重程度", "整改期限", "状态", "逾期", "督办"],
    ...b.problems.map((p) => [
      p.unitName,
      p.description,
      SEVERITY[p.severity],
      fmtTime(p.deadline),
      RECT_STATUS[p.status],
      p.overdue ? "逾期" : "",
      ESCALATION[p.escalationLevel] ?? "",
    ]),
    [],
    ["未按期检查"],
    ...b.missed.map((m) => [m.unitName]),
  ];
  return `\uFEFF${rows.map((r) => r.map(csvCell).join(",")).join("\r\n")}\r\n`;
}

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Picks the spot check whose bulletin is shown, from `GET /spot-checks` (not printed). */
function SpotCheckPicker({ id }: { id: string | undefined }) {
  const { data, error, loading } = useLoad(() => app.api.all("listSpotChecks", {}, 1000), []);
  const listed = data?.some((s) => s.spotCheckId === id) ?? false;
  return (
    <div class="picker-bar no-print">
      <div class="row">
        <label class="grow">
          督查任务
          <select
            name="spotCheckId"
            value={id ?? ""}
            disabled={!data}
            onChange={(e) => {
              const next = e.currentTarget.value;
              if (next) navigate(`#/spot-checks/${encodeURIComponent(next)}/bulletin`);
            }}
          >
            <option value="" disabled>
              {loading && !data ? "加载中…" : "请选择督查任务"}
            </option>
            {id && data && !listed ? <option value={id}>{id}</option> : null}
            {(data ?? []).map((s) => (
              <option key={s.spotCheckId} value={s.spotCheckId}>
                {s.title}（{label(SPOT_CHECK_STATUS, s.status, "其他状态")}，{fmtTime(s.window.start)} 起）
              </option>
            ))}
          </select>
        </label>
        <a class="small" href="#/spot-checks">
          全部督查任务
        </a>
      </div>
      <ErrorBox error={error} />
    </div>
  );
}

/** 督查通报 of one spot check; without `id`, only the picker. */
export function BulletinPage({ id }: { id?: string | undefined }) {
  return (
    <div class="page bulletin" data-page="bulletin">
      <SpotCheckPicker id={id} />
      {id ? (
        <BulletinOf id={id} />
      ) : (
        <>
          <h1>督查通报</h1>
          <Empty text="请在上方选择一项督查任务，查看其通报（排名、问题清单、逾期与问责）。" />
        </>
      )}
    </div>
  );
}

function BulletinOf({ id }: { id: string }) {
  const { data, error, loading } = useLoad(() => app.api.call("getBulletin", { params: { id } }), [id]);
  // The 督查通报 as a file laid out per GB/T 9704: Word for the office to edit and file, PDF to read.
  const word = useAction(async () => {
    const { blob, fileName } = await app.api.blob("bulletinDocx", { params: { id } });
    saveBlob(blob, fileName ?? `督查通报-${data?.title ?? id}.docx`);
  });
  const pdf = useAction(async () => {
    const { blob, fileName } = await app.api.blob("bulletinPdf", { params: { id } });
    saveBlob(blob, fileName ?? `督查通报-${data?.title ?? id}.pdf`);
  });
  return (
    <>
      <ErrorBox error={error} />
      <Loading when={loading && !data} />
      {data ? (
        <>
          <div class="page-head">
            <h1>督查通报</h1>
            <div class="actions no-print">
              <button type="button" onClick={() => window.print()}>
                打印
              </button>
              <button type="button" onClick={() => void word.go()} disabled={word.busy}>
                {word.busy ? "正在生成…" : "下载 Word"}
              </button>
              <button type="button" onClick={() => void pdf.go()} disabled={pdf.busy}>
                {pdf.busy ? "正在生成…" : "下载 PDF"}
              </button>
              <button type="button" onClick={() => download(`督查通报-${data.title}.csv`, bulletinCsv(data))}>
                导出 CSV
              </button>
            </div>
          </div>
          <ErrorBox error={word.error ?? pdf.error} />
          <h2 class="bulletin-title">{data.title}</h2>
          <p class="muted small">
            检查时间：{fmtTime(data.window.start)} 至 {fmtTime(data.window.end)}；生成于{" "}
            {fmtTime(data.generatedAt)}
          </p>
          <p class="summary">{data.summary}</p>
          <Section title="量化评分排名">
            {data.ranking.length === 0 ? (
              <Empty text="尚无评分。" />
            ) : (
              <div class="table-wrap">
                <table class="ranking">
                  <thead>
                    <tr>
                      <th class="num">排名</th>
                      <th>单位</th>
                      <th class="num">得分率</th>
                      <th class="num">得分 / 满分</th>
                      <th>等次</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.ranking.map((r) => (
                      <tr key={r.assignmentId} class={r.vetoed || r.grade === "不合格" ? "bad" : ""}>
                        <td class="num">{r.rank}</td>
                        <td>{r.unitName}</td>
                        <td class="num">{r.percent}%</td>
                        <td class="num">
                          {r.points} / {r.maxPoints}
                        </td>
                        <td>
                          {r.grade}
                          {r.vetoed ? "（一票否决）" : ""}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Section>
          <Section title={`发现问题（${data.problems.length}）`}>
            {data.problems.length === 0 ? (
              <Empty text="未发现问题。" />
            ) : (
              <div class="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th>单位</th>
                      <th>问题</th>
                      <th>严重程度</th>
                      <th>整改期限</th>
                      <th>状态</th>
                      <th>督办</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.problems.map((p) => (
                      <tr key={p.rectificationId} class={p.overdue ? "bad" : ""}>
                        <td>{p.unitName}</td>
                        <td>{p.description}</td>
                        <td>{SEVERITY[p.severity]}</td>
                        <td>{fmtTime(p.deadline)}</td>
                        <td>
                          {RECT_STATUS[p.status]}
                          {p.overdue ? "（逾期）" : ""}
                        </td>
                        <td>{ESCALATION[p.escalationLevel] ?? ""}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Section>
          {data.missed.length > 0 || data.pending.length > 0 ? (
            <Section title="未按期检查与在办">
              <ul class="list">
                {data.missed.map((m) => (
                  <li key={`m-${m.unitId}`}>{m.unitName}：未按期检查</li>
                ))}
                {data.pending.map((p) => (
                  <li key={`p-${p.unitId}`}>
                    {p.unitName}：{label(ASSIGNMENT_STATUS, p.status, "其他状态")}
                  </li>
                ))}
              </ul>
            </Section>
          ) : null}
        </>
      ) : null}
    </>
  );
}
