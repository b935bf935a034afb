import { useState } from "preact/hooks";
import type { Unit } from "../api";
import { kindName } from "../labels";
import { app, Empty, ErrorBox, errorText, isOrganizer, Section, UnitName, useAction, useLoad } from "../ui";

/** The kinds offered when a unit is added (the API takes any code; these are the field's). */
const KINDS = [
  "city",
  "district",
  "street",
  "community",
  "village",
  "grid",
  "venue",
  "hotel",
  "restaurant",
  "supermarket",
  "school",
  "market",
  "hospital",
  "company",
];

/**
 * The unit tree (区 → 街道 → 社区/村 → 网格), loaded a level at a time. With `selected`, each unit has a
 * checkbox (`multi`) or a radio button (`single`).
 */
export function UnitTree({
  selected,
  onChange,
  mode = "multi",
  onPick,
  radioName = "tree-single",
}: {
  selected?: string[];
  onChange?: (ids: string[]) => void;
  mode?: "multi" | "single";
  onPick?: (u: Unit) => void;
  /** The radio group of `single` mode (two trees on one form need two). */
  radioName?: string;
}) {
  return (
    <ul class="tree" aria-label="单位树">
      <UnitChildren
        parentId={undefined}
        selected={selected}
        onChange={onChange}
        mode={mode}
        onPick={onPick}
        radioName={radioName}
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
  radioName: string;
}) {
  const { data, error, loading } = useLoad(
    () => app.api.all("listUnits", { query: { parentId: props.parentId } }),
    [props.parentId],
  );
  if (loading && !data) return <li class="muted">加载中…</li>;
  if (error) return <li class="error">{errorText(error)}</li>;
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
  radioName,
}: {
  unit: Unit;
  selected?: string[] | undefined;
  onChange?: ((ids: string[]) => void) | undefined;
  mode: "multi" | "single";
  onPick?: ((u: Unit) => void) | undefined;
  radioName: string;
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
              name={mode === "single" ? radioName : `unit-${unit.unitId}`}
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
          {kindName(unit.kind)} · <code data-verbatim>{unit.unitId}</code>
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
            radioName={radioName}
          />
        </ul>
      ) : null}
    </li>
  );
}

/**
 * Organizers and admins: browse the tree, add or change a unit. People (inspectors included, whose
 * accounts also give the draw its inspector profiles) are opened on the people page (#/people).
 */
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
  const [done, setDone] = useState("");
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
      <div class="page-head">
        <h1>单位</h1>
        {isOrganizer() ? (
          <div class="actions">
            <a class="button" href="#/people">
              人员与账号
            </a>
            <a class="button" href="#/imports">
              批量导入
            </a>
          </div>
        ) : null}
      </div>
      {done ? <div class="ok">{done}</div> : null}
      <div class="grid2">
        <Section title="单位树（网格）">
          <UnitTree key={treeKey} onPick={pick} />
          {picked ? (
            <p class="small muted">
              已选：{picked.name}，层级{" "}
              {picked.path.map((id, n) => (
                <span key={id}>
                  {n > 0 ? " / " : ""}
                  <UnitName id={id} />
                </span>
              ))}
            </p>
          ) : null}
        </Section>
        {isOrganizer() ? (
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
              <label>
                类型
                <select
                  name="kind"
                  value={form.kind}
                  onChange={(e) => setForm({ ...form, kind: e.currentTarget.value })}
                  required
                >
                  {[...new Set([...KINDS, form.kind])].map((k) => (
                    <option key={k} value={k}>
                      {kindName(k)}
                    </option>
                  ))}
                </select>
              </label>
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
            <p class="small muted">督查员在「人员」中开通账号：开通即登记为督查员，抽签时按所属单位回避。</p>
          </Section>
        ) : (
          <Empty text="只读。" />
        )}
      </div>
    </div>
  );
}
