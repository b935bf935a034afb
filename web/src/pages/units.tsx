import { useState } from "preact/hooks";
import type { Unit } from "../api";
import { app, Empty, ErrorBox, isOrganizer, Loading, Section, UnitName, useAction, useLoad } from "../ui";

const KIND_NAMES: Record<string, string> = {
  district: "区",
  street: "街道/办事处",
  community: "社区",
  village: "村",
  grid: "网格",
  venue: "场所",
  hotel: "宾馆",
  restaurant: "餐馆",
  supermarket: "超市",
  school: "学校",
};
export const kindName = (k: string) => KIND_NAMES[k] ?? k;

/**
 * The unit tree (区 → 街道 → 社区/村 → 网格), loaded a level at a time. With `selected`, each unit has a
 * checkbox (`multi`) or a radio button (`single`).
 */
export function UnitTree({
  selected,
  onChange,
  mode = "multi",
  onPick,
}: {
  selected?: string[];
  onChange?: (ids: string[]) => void;
  mode?: "multi" | "single";
  onPick?: (u: Unit) => void;
}) {
  return (
    <ul class="tree" aria-label="单位树">
      <UnitChildren
        parentId={undefined}
        selected={selected}
        onChange={onChange}
        mode={mode}
        onPick={onPick}
      />
    </ul>
  );
}

function UnitChildren(props: {
  parentId: string | undefined;
  selected?: string[] | undefined;
  onChange?: ((ids: string[]) => void) | undefined;
  mode: "multi" | "single";
  onPick?: ((u: Unit) => void) | undefined;
}) {
  const { data, error, loading } = useLoad(
    () => app.api.all("listUnits", { query: { parentId: props.parentId } }),
    [props.parentId],
  );
  if (loading && !data) return <li class="muted">加载中…</li>;
  if (error) return <li class="error">{String(error)}</li>;
  if (!data?.length)
    return props.parentId ? <li class="muted small">（无下级单位）</li> : <li class="muted">暂无单位</li>;
  return (
    <>
      {data.map((u) => (
        <UnitNode key={u.unitId} unit={u} {...props} />
      ))}
    </>
  );
}

function UnitNode({
  unit,
  selected,
  onChange,
  mode,
  onPick,
}: {
  unit: Unit;
  selected?: string[] | undefined;
  onChange?: ((ids: string[]) => void) | undefined;
  mode: "multi" | "single";
  onPick?: ((u: Unit) => void) | undefined;
}) {
  const [open, setOpen] = useState(false);
  const checked = selected?.includes(unit.unitId) ?? false;
  const toggle = () => {
    if (!onChange || !selected) return;
    if (mode === "single") onChange(checked ? [] : [unit.unitId]);
    else onChange(checked ? selected.filter((id) => id !== unit.unitId) : [...selected, unit.unitId]);
  };
  return (
    <li>
      <div class="tree-row">
        <button
          type="button"
          class="twisty"
          aria-expanded={open}
          aria-label={open ? `收起 ${unit.name}` : `展开 ${unit.name}`}
          onClick={() => setOpen(!open)}
        >
          {open ? "▾" : "▸"}
        </button>
        {selected ? (
          <label class="inline">
            <input
              type={mode === "single" ? "radio" : "checkbox"}
              name={mode === "single" ? "tree-single" : `unit-${unit.unitId}`}
              value={unit.unitId}
              checked={checked}
              onChange={toggle}
            />
            {unit.name}
          </label>
        ) : (
          <button type="button" class="link" onClick={() => onPick?.(unit)}>
            {unit.name}
          </button>
        )}
        <span class="muted small">
          {kindName(unit.kind)} · {unit.unitId}
        </span>
      </div>
      {open ? (
        <ul>
          <UnitChildren
            parentId={unit.unitId}
            selected={selected}
            onChange={onChange}
            mode={mode}
            onPick={onPick}
          />
        </ul>
      ) : null}
    </li>
  );
}

/** Organizers and admins: browse the tree, add or change a unit, register an inspector. */
export function UnitsPage() {
  const [picked, setPicked] = useState<Unit | undefined>();
  const [treeKey, setTreeKey] = useState(0);
  const [form, setForm] = useState({
    unitId: "",
    name: "",
    parentId: "",
    kind: "community",
    lat: "",
    lng: "",
    radius: "",
  });
  const [insp, setInsp] = useState({ inspectorId: "", name: "", homeUnitId: "" });
  const [done, setDone] = useState("");
  const inspectors = useLoad(() => app.api.all("listInspectors", {}, 1000), []);
  const saveUnit = useAction(async () => {
    const u = await app.api.call("putUnit", {
      params: { unitId: form.unitId.trim() },
      body: {
        name: form.name.trim(),
        parentId: form.parentId.trim() || null,
        kind: form.kind.trim(),
        ...(form.lat && form.lng ? { location: { lat: Number(form.lat), lng: Number(form.lng) } } : {}),
        ...(form.radius ? { radiusMeters: Number(form.radius) } : {}),
      },
    });
    setDone(`已保存单位 ${u.name}（${u.unitId}）`);
    setTreeKey((k) => k + 1);
  });
  const saveInspector = useAction(async () => {
    const i = await app.api.call("putInspector", {
      params: { inspectorId: insp.inspectorId.trim() },
      body: { name: insp.name.trim(), homeUnitId: insp.homeUnitId.trim() },
    });
    setDone(`已登记督查员 ${i.name}（${i.inspectorId}）`);
    inspectors.reload();
  });
  const pick = (u: Unit) => {
    setPicked(u);
    setForm({
      unitId: u.unitId,
      name: u.name,
      parentId: u.parentId ?? "",
      kind: u.kind,
      lat: u.location ? String(u.location.lat) : "",
      lng: u.location ? String(u.location.lng) : "",
      radius: u.radiusMeters ? String(u.radiusMeters) : "",
    });
  };
  const field = (key: keyof typeof form, label: string, extra: Record<string, string> = {}) => (
    <label>
      {label}
      <input
        value={form[key]}
        onInput={(e) => setForm({ ...form, [key]: e.currentTarget.value })}
        {...extra}
      />
    </label>
  );
  return (
    <div class="page" data-page="units">
      <h1>单位与人员</h1>
      {done ? <div class="ok">{done}</div> : null}
      <div class="grid2">
        <Section title="单位树（网格）">
          <UnitTree key={treeKey} onPick={pick} />
          {picked ? (
            <p class="small muted">
              已选：{picked.name}，路径 {picked.path.join(" / ")}
            </p>
          ) : null}
        </Section>
        {isOrganizer() ? (
          <div>
            <Section title="新增或修改单位">
              <form
                class="form"
                onSubmit={(e) => {
                  e.preventDefault();
                  void saveUnit.go();
                }}
              >
                {field("unitId", "单位编号", { required: "true" })}
                {field("name", "名称", { required: "true" })}
                {field("parentId", "上级单位编号（空 = 顶级）")}
                {field("kind", "类型（district / street / community / village / grid / venue）", {
                  required: "true",
                })}
                <div class="row">
                  {field("lat", "纬度")}
                  {field("lng", "经度")}
                  {field("radius", "范围（米）")}
                </div>
                <button type="submit" class="primary" disabled={saveUnit.busy}>
                  保存单位
                </button>
                <ErrorBox error={saveUnit.error} />
              </form>
            </Section>
            <Section title="登记督查员">
              <form
                class="form"
                onSubmit={(e) => {
                  e.preventDefault();
                  void saveInspector.go();
                }}
              >
                <label>
                  督查员账号（令牌 sub）
                  <input
                    value={insp.inspectorId}
                    onInput={(e) => setInsp({ ...insp, inspectorId: e.currentTarget.value })}
                    required
                  />
                </label>
                <label>
                  姓名
                  <input
                    value={insp.name}
                    onInput={(e) => setInsp({ ...insp, name: e.currentTarget.value })}
                    required
                  />
                </label>
                <label>
                  所属单位编号（回避：不检查本单位及其上下级）
                  <input
                    value={insp.homeUnitId}
                    onInput={(e) => setInsp({ ...insp, homeUnitId: e.currentTarget.value })}
                    required
                  />
                </label>
                <button type="submit" disabled={saveInspector.busy}>
                  登记
                </button>
                <ErrorBox error={saveInspector.error} />
              </form>
            </Section>
          </div>
        ) : (
          <Empty text="只读。" />
        )}
      </div>
      <Section title={inspectors.data ? `督查员名录（${inspectors.data.length}）` : "督查员名录"}>
        <ErrorBox error={inspectors.error} />
        <Loading when={inspectors.loading && !inspectors.data} />
        {inspectors.data && inspectors.data.length === 0 ? <Empty text="还没有登记督查员。" /> : null}
        {inspectors.data && inspectors.data.length > 0 ? (
          <div class="table-wrap">
            <table class="inspectors">
              <thead>
                <tr>
                  <th>姓名</th>
                  <th>账号</th>
                  <th>所属单位</th>
                  {isOrganizer() ? <th>操作</th> : null}
                </tr>
              </thead>
              <tbody>
                {inspectors.data.map((i) => (
                  <tr key={i.inspectorId} data-inspector={i.inspectorId}>
                    <td>{i.name}</td>
                    <td class="mono small">{i.inspectorId}</td>
                    <td>
                      <UnitName id={i.homeUnitId} />
                    </td>
                    {isOrganizer() ? (
                      <td>
                        <button
                          type="button"
                          class="link"
                          onClick={() =>
                            setInsp({ inspectorId: i.inspectorId, name: i.name, homeUnitId: i.homeUnitId })
                          }
                        >
                          修改
                        </button>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </Section>
    </div>
  );
}
