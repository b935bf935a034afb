import { useState } from "preact/hooks";
import type { Template, TemplateItem } from "../api";
import {
  app,
  Empty,
  ErrorBox,
  isOrganizer,
  Loading,
  memory,
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
  if (data) memory.rememberTemplate({ id, title: data.name, at: data.createdAt ?? new Date().toISOString() });
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
  const [openId, setOpenId] = useState("");
  const known = memory.templates();

  const create = useAction(async () => {
    const items: TemplateItem[] = rows.map((r) => ({
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
    memory.rememberTemplate({ id: t.templateId, title: t.name, at: new Date().toISOString() });
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
        <Section title="本机记录的细则">
          {known.length === 0 ? (
            <Empty text="还没有记录。" />
          ) : (
            <ul class="list">
              {known.map((t) => (
                <li key={t.id}>
                  <a href={`#/templates/${encodeURIComponent(t.id)}`}>{t.title}</a>
                  <span class="muted small">{t.id}</span>
                </li>
              ))}
            </ul>
          )}
          <form
            class="row"
            onSubmit={(e) => {
              e.preventDefault();
              if (openId.trim()) navigate(`#/templates/${encodeURIComponent(openId.trim())}`);
            }}
          >
            <input
              aria-label="细则编号"
              placeholder="细则编号"
              value={openId}
              onInput={(e) => setOpenId(e.currentTarget.value)}
            />
            <button type="submit">打开</button>
          </form>
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
