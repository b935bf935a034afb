import { useState } from "preact/hooks";
import type { Bodies, Template } from "../api";
import {
  app,
  Empty,
  ErrorBox,
  fmtTime,
  isOrganizer,
  Loading,
  navigate,
  Section,
  useAction,
  useLoad,
} from "../ui";

interface Row {
  id: number;
  code: string;
  title: string;
  maxPoints: string;
  critical: boolean;
}
let rowIds = 0;
const blank = (n: number): Row => ({
  id: ++rowIds,
  code: `A${n}`,
  title: "",
  maxPoints: "10",
  critical: false,
});
const DEFAULT_GRADES = "优秀 90\n良好 75\n合格 60\n不合格 0";

function TemplateView({ id, onCopy }: { id: string; onCopy: (t: Template) => void }) {
  const { data, error, loading } = useLoad(
    () => app.api.call("getTemplate", { params: { templateId: id } }),
    [id],
  );
  return (
    <Section
      title={data ? `${data.name}（第 ${data.version} 版）` : "检查细则"}
      actions={
        data && isOrganizer() ? (
          <button type="button" onClick={() => onCopy(data)}>
            以此为基础新建
          </button>
        ) : null
      }
    >
      <ErrorBox error={error} />
      <Loading when={loading && !data} />
      {data ? (
        <>
          <p class="small muted">
            编号 {data.templateId} · 满分 {data.maxPoints} · 等次：
            {data.grades.map((g) => `${g.name}≥${g.minPercent}%`).join("，")}
          </p>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>代码</th>
                  <th>检查内容</th>
                  <th class="num">分值</th>
                  <th>一票否决</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((i) => (
                  <tr key={i.code}>
                    <td>{i.code}</td>
                    <td>{i.title}</td>
                    <td class="num">{i.maxPoints}</td>
                    <td>{i.critical ? "是" : ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </Section>
  );
}

/** Checklist templates (考评细则): a version never changes, so "editing" creates a new template. */
export function TemplatesPage({ id }: { id?: string | undefined }) {
  const [name, setName] = useState("");
  const [rows, setRows] = useState<Row[]>([blank(1)]);
  const [customGrades, setCustomGrades] = useState(false);
  const [grades, setGrades] = useState(DEFAULT_GRADES);
  const list = useLoad(() => app.api.all("listTemplates", {}, 1000), [id]);

  const create = useAction(async () => {
    const items: Bodies["createTemplate"]["items"] = rows.map((r) => ({
      code: r.code.trim(),
      title: r.title.trim(),
      maxPoints: Number(r.maxPoints),
      ...(r.critical ? { critical: true } : {}),
    }));
    const parsedGrades = customGrades
      ? grades
          .split("\n")
          .map((l) => l.trim().split(/\s+/))
          .filter((p) => p.length === 2)
          .map(([n, m]) => ({ name: n ?? "", minPercent: Number(m) }))
      : undefined;
    const t = await app.api.call("createTemplate", {
      body: { name: name.trim(), items, ...(parsedGrades ? { grades: parsedGrades } : {}) },
    });
    navigate(`#/templates/${encodeURIComponent(t.templateId)}`);
  });

  const copy = (t: Template) => {
    setName(`${t.name}（修订）`);
    setRows(
      t.items.map((i) => ({
        id: ++rowIds,
        code: i.code,
        title: i.title,
        maxPoints: String(i.maxPoints),
        critical: Boolean(i.critical),
      })),
    );
    setCustomGrades(true);
    setGrades(t.grades.map((g) => `${g.name} ${g.minPercent}`).join("\n"));
  };
  const set = (i: number, patch: Partial<Row>) =>
    setRows(rows.map((r, n) => (n === i ? { ...r, ...patch } : r)));
  const total = rows.reduce((s, r) => s + (Number(r.maxPoints) || 0), 0);

  return (
    <div class="page" data-page="templates">
      <h1>检查细则（量化评分表）</h1>
      {id ? <TemplateView id={id} onCopy={copy} /> : null}
      <div class="grid2">
        <Section
          title={list.data ? `全部细则（${list.data.length}）` : "全部细则"}
          actions={
            <button type="button" onClick={list.reload} disabled={list.loading}>
              刷新
            </button>
          }
        >
          <ErrorBox error={list.error} />
          <Loading when={list.loading && !list.data} />
          {list.data && list.data.length === 0 ? (
            <Empty text={isOrganizer() ? "还没有检查细则，请在右侧新建。" : "还没有检查细则。"} />
          ) : null}
          {list.data && list.data.length > 0 ? (
            <div class="table-wrap">
              <table class="templates">
                <thead>
                  <tr>
                    <th>名称</th>
                    <th class="num">版本</th>
                    <th class="num">项数</th>
                    <th class="num">满分</th>
                    <th>创建时间</th>
                  </tr>
                </thead>
                <tbody>
                  {list.data.map((t) => (
                    <tr
                      key={t.templateId}
                      data-template={t.templateId}
                      class={t.templateId === id ? "current" : ""}
                    >
                      <td>
                        <a href={`#/templates/${encodeURIComponent(t.templateId)}`}>{t.name}</a>
                        <div class="muted small">{t.templateId}</div>
                      </td>
                      <td class="num">第 {t.version} 版</td>
                      <td class="num">
                        {t.items.length}
                        {t.items.some((i) => i.critical) ? (
                          <span class="muted small">（否决 {t.items.filter((i) => i.critical).length}）</span>
                        ) : null}
                      </td>
                      <td class="num">{t.maxPoints}</td>
                      <td class="small">{fmtTime(t.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </Section>
        {isOrganizer() ? (
          <Section title="新建细则">
            <form
              class="form"
              onSubmit={(e) => {
                e.preventDefault();
                void create.go();
              }}
            >
              <label>
                名称
                <input
                  name="templateName"
                  value={name}
                  onInput={(e) => setName(e.currentTarget.value)}
                  required
                  placeholder="如：重点场所疫情防控检查细则"
                />
              </label>
              {rows.map((r, i) => (
                <fieldset key={r.id} class="item-row">
                  <legend>第 {i + 1} 项</legend>
                  <div class="row">
                    <label class="short">
                      代码
                      <input
                        name={`code-${i}`}
                        value={r.code}
                        onInput={(e) => set(i, { code: e.currentTarget.value })}
                        required
                      />
                    </label>
                    <label class="grow">
                      检查内容
                      <input
                        name={`title-${i}`}
                        value={r.title}
                        onInput={(e) => set(i, { title: e.currentTarget.value })}
                        required
                        placeholder="如：消杀记录本"
                      />
                    </label>
                    <label class="short">
                      分值
                      <input
                        name={`points-${i}`}
                        type="number"
                        min={0.5}
                        step="any"
                        value={r.maxPoints}
                        onInput={(e) => set(i, { maxPoints: e.currentTarget.value })}
                        required
                      />
                    </label>
                  </div>
                  <div class="row">
                    <label class="inline">
                      <input
                        type="checkbox"
                        checked={r.critical}
                        onChange={(e) => set(i, { critical: e.currentTarget.checked })}
                      />
                      一票否决项
                    </label>
                    {rows.length > 1 ? (
                      <button
                        type="button"
                        class="link"
                        onClick={() => setRows(rows.filter((_, n) => n !== i))}
                      >
                        删除
                      </button>
                    ) : null}
                  </div>
                </fieldset>
              ))}
              <div class="row">
                <button type="button" onClick={() => setRows([...rows, blank(rows.length + 1)])}>
                  添加一项
                </button>
                <span class="muted small">合计满分 {total}</span>
              </div>
              <label class="inline">
                <input
                  type="checkbox"
                  checked={customGrades}
                  onChange={(e) => setCustomGrades(e.currentTarget.checked)}
                />
                自定义等次（默认：优秀≥90，良好≥75，合格≥60）
              </label>
              {customGrades ? (
                <label>
                  等次（每行：名称 最低得分率）
                  <textarea rows={4} value={grades} onInput={(e) => setGrades(e.currentTarget.value)} />
                </label>
              ) : null}
              <button type="submit" class="primary" disabled={create.busy}>
                保存细则
              </button>
              <ErrorBox error={create.error} />
            </form>
          </Section>
        ) : null}
      </div>
    </div>
  );
}
