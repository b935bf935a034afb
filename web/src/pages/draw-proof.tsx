import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { DrawProof } from "../api";
import { type DrawTrace, recomputeDraw, type Swap, withinDaysBefore } from "../draw-check";
import {
  app,
  ErrorBox,
  fmtTime,
  Loading,
  loadDirectory,
  PersonName,
  Section,
  SPOT_CHECK_STATUS,
  StatusBadge,
  UnitName,
  useAction,
  useLoad,
} from "../ui";

/** A long list shows its first items and the rest on request. */
function LongList<T>({
  items,
  render,
  first = 24,
  cls = "chips",
}: {
  items: readonly T[];
  render: (item: T, index: number) => ComponentChildren;
  first?: number;
  cls?: string;
}) {
  const [all, setAll] = useState(false);
  const shown = all ? items : items.slice(0, first);
  return (
    <>
      <ol class={cls}>{shown.map((item, n) => render(item, n))}</ol>
      {items.length > shown.length ? (
        <button type="button" class="link small" onClick={() => setAll(true)}>
          显示全部 {items.length} 项
        </button>
      ) : null}
    </>
  );
}

/** A fold whose content is only built once opened (a draw over hundreds of units has hundreds of swaps). */
function Fold({ summary, children }: { summary: ComponentChildren; children: () => ComponentChildren }) {
  const [open, setOpen] = useState(false);
  return (
    <details class="fold" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{summary}</summary>
      {open ? children() : null}
    </details>
  );
}

const Unit = ({ id }: { id: string }) => (
  <span class="unit-ref">
    <UnitName id={id} />{" "}
    <code class="muted small" data-verbatim>
      {id}
    </code>
  </span>
);

function Swaps({ swaps, label }: { swaps: readonly Swap[]; label: string }) {
  if (swaps.length === 0) return <p class="small muted">只有一项，无需打乱。</p>;
  return (
    <Fold
      summary={
        <>
          逐次交换（共 {swaps.length} 次，标签 <code data-verbatim>{label}</code>）
        </>
      }
    >
      {() => (
        <div class="table-wrap">
          <table class="swaps small">
            <thead>
              <tr>
                <th class="num">位置 i</th>
                <th class="num">取值范围</th>
                <th class="num">块序号 k</th>
                <th class="num">前 6 字节的整数</th>
                <th class="num">j</th>
              </tr>
            </thead>
            <tbody>
              {swaps.map((s) => {
                const used = s.draw.blocks.at(-1)!;
                return (
                  <tr key={s.i}>
                    <td class="num">{s.i}</td>
                    <td class="num">0 至 {s.draw.n - 1}</td>
                    <td class="num">
                      {used.k}
                      {s.draw.blocks.length > 1 ? `（舍弃 ${s.draw.blocks.length - 1} 块）` : ""}
                    </td>
                    <td class="num mono">{used.u}</td>
                    <td class="num">{s.j}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Fold>
  );
}

function Verdict({ trace }: { trace: DrawTrace }) {
  return trace.matches ? (
    <div class="verdict ok" data-verdict="match" role="status">
      <strong>一致</strong>
      ：种子与承诺值相符，按公布的输入重新计算出的被检查单位和检查组与公布的抽签结果完全相同。
    </div>
  ) : (
    <div class="verdict bad" data-verdict="mismatch" role="alert">
      <strong>不一致</strong>：{trace.differences.join("；")}。
    </div>
  );
}

/** Each step of the algorithm with its inputs and what it gave, as the browser computed it. */
function Steps({ proof, trace }: { proof: DrawProof; trace: DrawTrace }) {
  const poolHome = new Map(trace.pool.map((m) => [m.inspectorId, m.homeUnitId]));
  const first = trace.targetSwaps[0];
  return (
    <ol class="draw-steps">
      <li>
        <h3>核对承诺值</h3>
        <p>
          计算种子的 SHA-256：
          <code data-verbatim class="hash">
            {trace.commitment.computed}
          </code>
        </p>
        <p>
          计划时公布的承诺值：
          <code data-verbatim class="hash">
            {trace.commitment.published}
          </code>{" "}
          {trace.commitment.matches ? (
            <span class="badge green">相符</span>
          ) : (
            <span class="badge red">不符</span>
          )}
        </p>
      </li>
      <li>
        <h3>整理输入</h3>
        <p>
          候选单位去重后按编号排序，共 {trace.candidates.length} 个
          {trace.excluded.length > 0
            ? `；减负排除 ${trace.excluded.length} 个，余 ${trace.remaining.length} 个参加抽取`
            : ""}
          。督查员按编号排序，共 {trace.pool.length} 人。
        </p>
        <LongList
          items={trace.remaining}
          render={(u, n) => (
            <li key={u}>
              <span class="muted small">{n}.</span> <Unit id={u} />
            </li>
          )}
        />
      </li>
      <li>
        <h3>回避与可行性</h3>
        <p>
          督查员的所属单位与被检查单位相同，或一方是另一方的上级，即须回避。每个参加抽取的单位都须有至少{" "}
          {proof.teamSize} 名无回避关系的督查员，这一检查与种子无关，抽签能否进行不靠运气。
        </p>
        {trace.refusals.length === 0 ? (
          <p>
            <span class="badge green">通过</span> 全部 {trace.remaining.length} 个单位均可组队。
          </p>
        ) : (
          <ul class="list red-text">
            {trace.refusals.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        )}
      </li>
      <li>
        <h3>随机数流</h3>
        <p>
          每个标签有一串随机块：第 k 块是字符串「种子:标签:k」的 SHA-256。取一个 0 至 n−1
          的随机数时，读下一块的前 6 个字节作为整数 u；若 u 小于不超过 2 的 48 次方的最大 n 倍数，结果为 u
          除以 n 的余数，否则舍弃该块再取下一块，使每个结果的机会均等。
        </p>
        {first ? (
          <p class="small">
            例：抽取单位时第一次取数，标签 <code data-verbatim>targets</code>，块 {first.draw.blocks[0]!.k}，u
            = <span class="mono">{first.draw.blocks[0]!.u}</span>，n = {first.draw.n}，得 {first.j}。
          </p>
        ) : null}
      </li>
      <li>
        <h3>抽取被检查单位</h3>
        <p>
          对上面排好序的单位做费雪–耶茨洗牌（从最后一位起，每一位与随机选出的 j 位交换，标签{" "}
          <code data-verbatim>targets</code>），取洗牌后的前 {proof.sampleSize} 个。
        </p>
        <Swaps swaps={trace.targetSwaps} label="targets" />
        <p>抽中（按抽中顺序）：</p>
        <ol class="list">
          {trace.targets.map((u) => (
            <li key={u}>
              <Unit id={u} />
            </li>
          ))}
        </ol>
      </li>
      <li>
        <h3>组成检查组</h3>
        <p>
          按抽中顺序，对每个单位：取无回避关系的督查员（按编号排序），用标签 <code data-verbatim>team:</code>
          加单位编号洗牌，再按已分配任务数从少到多稳定排序，取前 {proof.teamSize} 人；入选者任务数各加
          1，使任务均匀分配。
        </p>
        {trace.teams.map((t) => (
          <div key={t.unitId} class="team-step" data-unit={t.unitId}>
            <h4>
              <Unit id={t.unitId} />
            </h4>
            <p class="small">
              回避 {t.conflicted.length} 人
              {t.conflicted.length > 0 ? (
                <>
                  （
                  {t.conflicted.map((i, n) => (
                    <span key={i}>
                      {n > 0 ? "、" : ""}
                      <PersonName id={i} />
                    </span>
                  ))}
                  ）
                </>
              ) : null}
              ，可参加 {t.eligible.length} 人。
            </p>
            <p class="small">
              洗牌后按任务数排序：
              {t.ordered.map((i, n) => (
                <span key={i}>
                  {n > 0 ? "、" : ""}
                  <PersonName id={i} />
                  <span class="muted">（已分配 {t.loads[i] ?? 0}）</span>
                </span>
              ))}
            </p>
            <Swaps swaps={t.swaps} label={`team:${t.unitId}`} />
            <p>
              检查组：
              {t.team.map((i, n) => (
                <span key={i}>
                  {n > 0 ? "、" : ""}
                  <strong>
                    <PersonName id={i} />
                  </strong>
                  {poolHome.get(i) ? (
                    <span class="muted small">
                      （所属 <UnitName id={poolHome.get(i)!} />）
                    </span>
                  ) : null}
                </span>
              ))}
            </p>
          </div>
        ))}
      </li>
    </ol>
  );
}

/**
 * The draw proof (抽签凭证) as a page a citizen can follow: the commitment published at planning, the
 * seed once the window has ended, the candidates, the pool and the units left out (减负), the
 * published teams, and 重新计算: the browser re-runs the algorithm step by step and says 一致 or 不一致.
 */
export function DrawProofPage({ id }: { id: string }) {
  const { data, error, loading } = useLoad(async () => {
    const [proof, spotCheck] = await Promise.all([
      app.api.call("getDrawProof", { params: { id } }),
      app.api.call("getSpotCheck", { params: { id } }).catch(() => undefined),
      loadDirectory(),
    ]);
    return { proof, spotCheck };
  }, [id]);
  const [trace, setTrace] = useState<DrawTrace | undefined>();
  const recompute = useAction(async () => {
    setTrace(undefined);
    const proof = data?.proof;
    if (!proof?.seed) throw new Error("随机种子尚未公开，时间窗口结束后才能重新计算");
    setTrace(await recomputeDraw({ ...proof, seed: proof.seed }));
  });
  const base = `#/spot-checks/${encodeURIComponent(id)}`;
  const proof = data?.proof;
  const excluded = proof?.excluded ?? [];
  const excludedIds = new Set(excluded.map((e) => e.unitId));
  return (
    <div class="page" data-page="draw-proof">
      <div class="page-head">
        <h1>抽签凭证</h1>
        <div class="actions">
          <a class="button" href={base}>
            任务详情
          </a>
          <a class="button" href={`${base}/bulletin`}>
            通报
          </a>
        </div>
      </div>
      <ErrorBox error={error} />
      <Loading when={loading && !data} />
      {proof ? (
        <>
          <Section title={data?.spotCheck?.title ?? "双随机抽签"}>
            <p>
              「双随机」：被检查单位和检查组都由随机种子决定。计划时系统生成秘密种子，只公布它的
              SHA-256（承诺值），此后无法更换种子；时间窗口结束后公开种子，任何人都能核对承诺值，并按公开的算法重新计算抽签结果。
            </p>
            <dl class="facts">
              {proof.status ? (
                <>
                  <dt>状态</dt>
                  <dd>
                    <StatusBadge text={SPOT_CHECK_STATUS[proof.status]} tone={`sc-${proof.status}`} />
                  </dd>
                </>
              ) : null}
              <dt>承诺值</dt>
              <dd>
                <code class="hash" data-verbatim>
                  {proof.seedCommitment}
                </code>
                {data?.spotCheck ? (
                  <span class="small muted">（{fmtTime(data.spotCheck.createdAt)} 计划时公布）</span>
                ) : null}
              </dd>
              <dt>随机种子</dt>
              <dd class="seed">
                {proof.seed ? (
                  <code class="hash" data-verbatim>
                    {proof.seed}
                  </code>
                ) : (
                  `未公开：${proof.revealAfter ? `${fmtTime(proof.revealAfter)} ` : ""}时间窗口结束后公开`
                )}
              </dd>
              <dt>算法</dt>
              <dd>
                <code data-verbatim>{proof.algorithm ?? "sha256-counter-v1"}</code>（见下方各步骤）
              </dd>
              <dt>抽取</dt>
              <dd>
                从 {proof.candidates.length - excludedIds.size} 个单位中抽 {proof.sampleSize} 个，每组{" "}
                {proof.teamSize} 人
              </dd>
              <dt>抽签时间</dt>
              <dd>{proof.drawnAt ? fmtTime(proof.drawnAt) : "尚未抽签"}</dd>
            </dl>
          </Section>

          <Section title={`候选单位（${proof.candidates.length}）`}>
            <LongList
              items={[...proof.candidates].sort()}
              render={(u) => (
                <li key={u} class={excludedIds.has(u) ? "excluded" : ""}>
                  <Unit id={u} />
                  {excludedIds.has(u) ? <span class="badge esc-1">减负排除</span> : null}
                </li>
              )}
            />
          </Section>

          {proof.excluded ? (
            <Section title={`减负：排除的单位（${excluded.length}）`}>
              <p class="small muted">
                {proof.excludeInspectedWithinDays
                  ? `抽签前 ${proof.excludeInspectedWithinDays} 天内已有检查组到过的单位不参加本次抽取，以减轻基层负担。`
                  : "近期已检查过的单位不参加本次抽取。"}
              </p>
              {excluded.length === 0 ? (
                <p class="small">没有单位被排除。</p>
              ) : (
                <div class="table-wrap">
                  <table class="excluded">
                    <thead>
                      <tr>
                        <th>单位</th>
                        <th>最近一次检查组到场</th>
                        <th>在排除期限内</th>
                      </tr>
                    </thead>
                    <tbody>
                      {excluded.map((e) => (
                        <tr key={e.unitId} data-unit={e.unitId}>
                          <td>
                            <Unit id={e.unitId} />
                          </td>
                          <td>{fmtTime(e.lastArrivalAt)}</td>
                          <td>
                            {proof.drawnAt && proof.excludeInspectedWithinDays
                              ? withinDaysBefore(
                                  e.lastArrivalAt,
                                  proof.excludeInspectedWithinDays,
                                  proof.drawnAt,
                                )
                                ? "是"
                                : "否（不应排除）"
                              : "—"}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </Section>
          ) : null}

          <Section title={`督查员库（${proof.pool.length}）`}>
            <LongList
              items={[...proof.pool].sort((a, b) => (a.inspectorId < b.inspectorId ? -1 : 1))}
              render={(m) => (
                <li key={m.inspectorId}>
                  <PersonName id={m.inspectorId} />
                  {m.homeUnitId ? (
                    <span class="muted small">
                      （所属 <UnitName id={m.homeUnitId} />）
                    </span>
                  ) : null}
                </li>
              )}
            />
          </Section>

          <Section title={`公布的抽签结果（${proof.selected.length} 组）`}>
            {proof.selected.length === 0 ? (
              <p class="muted">尚未抽签。</p>
            ) : (
              <ol class="list selected-teams">
                {proof.selected.map((t) => (
                  <li key={t.unitId} data-unit={t.unitId}>
                    <Unit id={t.unitId} />：
                    {t.inspectorIds.map((i, n) => (
                      <span key={i}>
                        {n > 0 ? "、" : ""}
                        <PersonName id={i} />
                      </span>
                    ))}
                  </li>
                ))}
              </ol>
            )}
          </Section>

          <Section
            title="在浏览器中重新计算"
            actions={
              <button
                type="button"
                class="primary"
                disabled={recompute.busy || !proof.seed || proof.selected.length === 0}
                onClick={() => void recompute.go()}
              >
                重新计算
              </button>
            }
          >
            {!proof.seed ? (
              <p class="muted">随机种子在时间窗口结束后公开，届时即可重新计算。</p>
            ) : proof.selected.length === 0 ? (
              <p class="muted">尚未抽签。</p>
            ) : !trace ? (
              <p class="muted">
                点「重新计算」：本浏览器用公开的种子、候选单位、督查员库和单位层级，逐步重算抽签，不经过服务器。
              </p>
            ) : null}
            <ErrorBox error={recompute.error} />
            {trace ? (
              <>
                <Verdict trace={trace} />
                <Steps proof={proof} trace={trace} />
              </>
            ) : null}
          </Section>
        </>
      ) : null}
    </div>
  );
}
